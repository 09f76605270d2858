using Dfs.Common.Hashing;

namespace Dfs.Client.Chunks;

/// <summary>How replica data is cut into checksummed blocks, shared by every store.</summary>
public static class ChunkLayout
{
    /// <summary>Bytes per checksummed block; the last block of a replica may be shorter.</summary>
    public const int BlockSize = 64 * 1024;

    public static int BlockCount(long length) => checked((int)((length + BlockSize - 1) / BlockSize));

    public static int BlockLength(long chunkLength, int blockIndex) =>
        (int)Math.Min(BlockSize, chunkLength - ((long)blockIndex * BlockSize));

    /// <summary>CRC-32C of each block of <paramref name="data"/>.</summary>
    public static uint[] BlockChecksums(ReadOnlySpan<byte> data)
    {
        var crcs = new uint[BlockCount(data.Length)];
        for (var i = 0; i < crcs.Length; i++)
        {
            var start = i * BlockSize;
            crcs[i] = Crc32C.Compute(data.Slice(start, Math.Min(BlockSize, data.Length - start)));
        }
        return crcs;
    }

    /// <summary>The CRC-32C of a whole replica from its block CRCs, without reading its bytes again.</summary>
    public static uint WholeChecksum(ReadOnlySpan<uint> blockCrcs, long length)
    {
        var whole = 0u;
        for (var i = 0; i < blockCrcs.Length; i++)
        {
            whole = Crc32C.Combine(whole, blockCrcs[i], BlockLength(length, i));
        }
        return whole;
    }

    /// <summary>Throws the contract's BadRange error unless [offset, offset + length) lies within the replica.</summary>
    public static void CheckRange(ChunkInfo chunk, long offset, long length)
    {
        if (offset < 0 || length < 0 || offset > chunk.Length || length > chunk.Length - offset)
        {
            throw new ChunkStoreException(
                ChunkError.BadRange,
                $"Range [{offset}, {offset} + {length}) is outside chunk {chunk.Id} version {chunk.Version}, which holds {chunk.Length} bytes.");
        }
    }

    public static void CheckVersion(ChunkInfo chunk, long minimumVersion)
    {
        if (chunk.Version < minimumVersion)
        {
            throw new ChunkStoreException(
                ChunkError.StaleVersion,
                $"Chunk {chunk.Id} is held at version {chunk.Version}, older than the required version {minimumVersion}.");
        }
    }

    public static ChunkStoreException NotFound(ChunkId id) =>
        new(ChunkError.NotFound, $"No committed replica of chunk {id} is held here.");

    public static ChunkStoreException CorruptBlock(ChunkInfo chunk, int blockIndex) =>
        new(ChunkError.Corrupt, $"Block {blockIndex} of chunk {chunk.Id} version {chunk.Version} failed its CRC-32C check; the replica is quarantined.");

    public static ChunkStoreException Superseded(ChunkId id) =>
        new(ChunkError.Conflict, $"This writer of chunk {id} no longer owns the write: it was resumed, deleted or replaced by another writer.");
}
