using System.Buffers.Binary;
using Dfs.Client.Kv;

namespace Dfs.Raft.Kv;

/// <summary>
/// The layout of one stored key: a single immutable byte array holding its revisions, lease, key and value, so a key
/// costs one object. Layout (little-endian): u16 key length, i64 create revision, i64 mod revision, i64 version,
/// i64 lease id, key bytes, value bytes (the rest of the array).
/// </summary>
/// <remarks>Records are never changed once built (a write builds a new one), so readers may hold views over them without copying or locking.</remarks>
internal static class KvRecord
{
    public const int HeaderSize = 34;
    private const int CreateOffset = 2;
    private const int ModOffset = 10;
    private const int VersionOffset = 18;
    private const int LeaseOffset = 26;

    public static byte[] Create(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long createRevision, long modRevision, long version, long leaseId)
    {
        var record = GC.AllocateUninitializedArray<byte>(HeaderSize + key.Length + value.Length);
        var span = record.AsSpan();
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)key.Length);
        BinaryPrimitives.WriteInt64LittleEndian(span[CreateOffset..], createRevision);
        BinaryPrimitives.WriteInt64LittleEndian(span[ModOffset..], modRevision);
        BinaryPrimitives.WriteInt64LittleEndian(span[VersionOffset..], version);
        BinaryPrimitives.WriteInt64LittleEndian(span[LeaseOffset..], leaseId);
        key.CopyTo(span[HeaderSize..]);
        value.CopyTo(span[(HeaderSize + key.Length)..]);
        return record;
    }

    public static int KeyLength(byte[] record) => BinaryPrimitives.ReadUInt16LittleEndian(record);

    public static ReadOnlySpan<byte> Key(byte[] record) => record.AsSpan(HeaderSize, KeyLength(record));

    public static ReadOnlyMemory<byte> KeyMemory(byte[] record) => record.AsMemory(HeaderSize, KeyLength(record));

    public static ReadOnlySpan<byte> Value(byte[] record) => record.AsSpan(HeaderSize + KeyLength(record));

    public static ReadOnlyMemory<byte> ValueMemory(byte[] record) => record.AsMemory(HeaderSize + KeyLength(record));

    public static long CreateRevision(byte[] record) => BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(CreateOffset));

    public static long ModRevision(byte[] record) => BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(ModOffset));

    public static long Version(byte[] record) => BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(VersionOffset));

    public static long LeaseId(byte[] record) => BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(LeaseOffset));

    /// <summary>A read view over the record (no copy of key or value).</summary>
    public static KvKeyValue ToKeyValue(byte[] record) =>
        new(KeyMemory(record), ValueMemory(record), CreateRevision(record), ModRevision(record), Version(record), LeaseId(record));

    /// <summary>Checks that <paramref name="record"/> (from a snapshot) is well-formed.</summary>
    public static bool IsWellFormed(byte[] record) =>
        record.Length >= HeaderSize
        && KeyLength(record) is > 0 and <= KvLimits.MaxKeyBytes
        && record.Length - HeaderSize - KeyLength(record) <= KvLimits.MaxValueBytes
        && CreateRevision(record) > 0
        && ModRevision(record) >= CreateRevision(record)
        && Version(record) > 0
        && LeaseId(record) >= 0;
}
