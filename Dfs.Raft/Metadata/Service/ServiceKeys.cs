using System.Buffers.Binary;

namespace Dfs.Raft.Metadata.Service;

/// <summary>
/// The file-system service's keys beside the schema's (<see cref="MetadataKeys"/>; their letters differ):
/// <c>A</c>+chunk id → an allocated, not yet committed chunk; <c>C</c> → the next free chunk id;
/// <c>O</c>+client id+sequence → the answer to a change, for exactly-once retries. Ids and sequences are big-endian so keys sort by them.
/// </summary>
internal static class ServiceKeys
{
    public const byte Allocation = (byte)'A';
    public const byte Outcome = (byte)'O';

    public static readonly byte[] NextChunkId = "C"u8.ToArray();

    public static byte[] AllocationPrefix { get; } = [Allocation];

    public static byte[] OutcomePrefix { get; } = [Outcome];

    public static byte[] AllocationKey(ulong chunkId)
    {
        var key = new byte[9];
        key[0] = Allocation;
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(1), chunkId);
        return key;
    }

    public static ulong ChunkOf(ReadOnlySpan<byte> allocationKey) => BinaryPrimitives.ReadUInt64BigEndian(allocationKey[1..]);

    public static byte[] OutcomeKey(Guid clientId, long sequence)
    {
        var key = new byte[1 + 16 + 8];
        key[0] = Outcome;
        clientId.TryWriteBytes(key.AsSpan(1, 16), bigEndian: true, out _);
        BinaryPrimitives.WriteInt64BigEndian(key.AsSpan(17), sequence);
        return key;
    }
}
