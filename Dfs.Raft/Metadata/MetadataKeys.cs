using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Dfs.Client.Metadata;

namespace Dfs.Raft.Metadata;

/// <summary>
/// The key layout of the metadata schema. Ids are u64 big-endian so keys sort by id; one ASCII letter tells the
/// kinds apart:
/// <c>E</c>+parent+name → directory entry; <c>I</c>+id → inode; <c>V</c>+id+version → an older kept version;
/// <c>G</c>+id+version → chunk ids awaiting garbage collection; <c>N</c> → next free inode id;
/// <c>Q</c>+pathhash+lease → a lock contender; <c>W</c>+pathhash → a path's lock-queue stamp.
/// </summary>
internal static class MetadataKeys
{
    public const byte Entry = (byte)'E';
    public const byte Inode = (byte)'I';
    public const byte Version = (byte)'V';
    public const byte Garbage = (byte)'G';
    public const byte Queue = (byte)'Q';
    public const byte Stamp = (byte)'W';

    /// <summary>The root directory's id; the root has no entry and no inode key, it always exists.</summary>
    public const ulong RootId = 1;

    /// <summary>Bytes of a path's SHA-256 kept in lock keys: paths reach 4 KiB, keys stop at 1 KiB.</summary>
    public const int PathHashBytes = 16;

    public static readonly byte[] NextId = "N"u8.ToArray();

    public static byte[] EntryPrefix(ulong parent) => WithId(Entry, parent, 0);

    public static byte[] EntryKey(ulong parent, string name)
    {
        var key = WithId(Entry, parent, Encoding.UTF8.GetByteCount(name));
        Encoding.UTF8.GetBytes(name, key.AsSpan(9));
        return key;
    }

    /// <summary>The first key after <paramref name="name"/>'s entry: the entry with a NUL appended (names hold no NUL).</summary>
    public static byte[] EntryKeyAfter(ulong parent, string name)
    {
        var count = Encoding.UTF8.GetByteCount(name);
        var key = WithId(Entry, parent, count + 1);
        Encoding.UTF8.GetBytes(name, key.AsSpan(9));
        return key;
    }

    public static string EntryName(ReadOnlySpan<byte> key) => Encoding.UTF8.GetString(key[9..]);

    public static byte[] InodeKey(ulong id) => WithId(Inode, id, 0);

    public static byte[] VersionPrefix(ulong id) => WithId(Version, id, 0);

    public static byte[] VersionKey(ulong id, long version)
    {
        var key = WithId(Version, id, 8);
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(9), version);
        return key;
    }

    public static long VersionOf(ReadOnlySpan<byte> key) => BinaryPrimitives.ReadInt64BigEndian(key[9..]);

    public static byte[] GarbageKey(ulong id, long version)
    {
        var key = WithId(Garbage, id, 8);
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(9), version);
        return key;
    }

    public static ulong IdOf(ReadOnlySpan<byte> key) => BinaryPrimitives.ReadUInt64BigEndian(key[1..]);

    public static byte[] PathHash(string path) => SHA256.HashData(Encoding.UTF8.GetBytes(path))[..PathHashBytes];

    public static byte[] QueuePrefix(byte[] pathHash) => [Queue, .. pathHash];

    public static byte[] QueueKey(byte[] pathHash, long leaseId)
    {
        var key = new byte[1 + PathHashBytes + 8];
        key[0] = Queue;
        pathHash.CopyTo(key, 1);
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(1 + PathHashBytes), leaseId);
        return key;
    }

    public static long LeaseOfQueueKey(ReadOnlySpan<byte> key) => BinaryPrimitives.ReadInt64BigEndian(key[(1 + PathHashBytes)..]);

    public static byte[] StampKey(byte[] pathHash) => [Stamp, .. pathHash];

    private static byte[] WithId(byte kind, ulong id, int extra)
    {
        var key = new byte[9 + extra];
        key[0] = kind;
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(1), id);
        return key;
    }
}
