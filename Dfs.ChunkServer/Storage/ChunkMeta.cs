using System.Buffers.Binary;
using Dfs.Client.Chunks;
using Dfs.Common.Hashing;

namespace Dfs.ChunkServer.Storage;

/// <summary>
/// The <c>chunks/{id}.meta</c> file of a committed replica: what the replica is and the CRC-32C of every block.
/// </summary>
/// <remarks>
/// Little-endian: u32 magic "DFSC", u16 format version, u16 reserved, u64 chunk id, i64 chunk version, i64 length,
/// i32 block size, i32 block count, u32[block count] block CRCs, u32 whole-chunk CRC, u32 CRC-32C of every
/// preceding byte. Its atomic rename into place is the commit point of a replica.
/// </remarks>
internal sealed record ChunkMeta(ChunkId Id, long Version, long Length, uint[] BlockCrcs, uint Checksum)
{
    public const uint Magic = 0x43534644; // "DFSC"
    public const ushort FormatVersion = 1;
    private const int HeaderSize = 40;

    public ChunkInfo Info => new(Id, Version, Length, Checksum);

    public static int EncodedSize(int blockCount) => HeaderSize + (4 * blockCount) + 8;

    public byte[] Encode()
    {
        var bytes = new byte[EncodedSize(BlockCrcs.Length)];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], FormatVersion);
        BinaryPrimitives.WriteUInt64LittleEndian(span[8..], Id.Value);
        BinaryPrimitives.WriteInt64LittleEndian(span[16..], Version);
        BinaryPrimitives.WriteInt64LittleEndian(span[24..], Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[32..], ChunkLayout.BlockSize);
        BinaryPrimitives.WriteInt32LittleEndian(span[36..], BlockCrcs.Length);
        var at = HeaderSize;
        foreach (var crc in BlockCrcs)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span[at..], crc);
            at += 4;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], Checksum);
        at += 4;
        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], Crc32C.Compute(span[..at]));
        return bytes;
    }

    /// <summary>Parses and checks a meta file; on failure says what is wrong with it.</summary>
    public static ChunkMeta? TryDecode(ReadOnlySpan<byte> bytes, ChunkId expectedId, out string? problem)
    {
        problem = null;
        if (bytes.Length < EncodedSize(0))
        {
            problem = $"the meta file is {bytes.Length} bytes, shorter than any valid one";
            return null;
        }
        var body = bytes[..^4];
        if (Crc32C.Compute(body) != BinaryPrimitives.ReadUInt32LittleEndian(bytes[^4..]))
        {
            problem = "the meta file fails its own CRC-32C check";
            return null;
        }
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic || BinaryPrimitives.ReadUInt16LittleEndian(bytes[4..]) != FormatVersion)
        {
            problem = "the meta file has an unknown magic number or format version";
            return null;
        }
        var id = new ChunkId(BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]));
        var version = BinaryPrimitives.ReadInt64LittleEndian(bytes[16..]);
        var length = BinaryPrimitives.ReadInt64LittleEndian(bytes[24..]);
        var blockSize = BinaryPrimitives.ReadInt32LittleEndian(bytes[32..]);
        var blockCount = BinaryPrimitives.ReadInt32LittleEndian(bytes[36..]);
        if (id != expectedId)
        {
            problem = $"the meta file describes chunk {id}, not {expectedId}";
            return null;
        }
        if (version < 0 || length < 0 || blockSize != ChunkLayout.BlockSize || blockCount != ChunkLayout.BlockCount(length)
            || bytes.Length != EncodedSize(blockCount))
        {
            problem = $"the meta file's fields are inconsistent (version {version}, length {length}, block size {blockSize}, {blockCount} blocks, {bytes.Length} bytes)";
            return null;
        }
        var crcs = new uint[blockCount];
        for (var i = 0; i < crcs.Length; i++)
        {
            crcs[i] = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(HeaderSize + (4 * i))..]);
        }
        var checksum = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(HeaderSize + (4 * blockCount))..]);
        return new ChunkMeta(id, version, length, crcs, checksum);
    }
}
