using System.Buffers;
using System.Buffers.Binary;
using Dfs.Client.Chunks;
using Dfs.Common.Hashing;

namespace Dfs.ChunkServer.Storage;

/// <summary>
/// The block CRCs of a pending write's durable prefix, kept beside its data in <c>pending/{id}.{version}.crc0</c>
/// and <c>.crc1</c> so a write resumed after a restart can verify what it holds.
/// </summary>
/// <remarks>
/// A refresh overwrites the older of the two slots and fsyncs it: a torn slot fails its CRC and the other one,
/// one refresh older, still describes a prefix the data file holds. Little-endian: u32 magic "DFSP", u16 format,
/// u16 reserved, u64 chunk id, i64 version, i64 sequence, i64 length, u32 CRC of the partial last block,
/// i32 full block count, u32[count] block CRCs, u32 CRC-32C of every preceding byte.
/// </remarks>
internal sealed record PendingSidecar(ChunkId Id, long Version, long Sequence, long Length, uint TailCrc, uint[] BlockCrcs)
{
    private const uint Magic = 0x50534644; // "DFSP"
    private const ushort FormatVersion = 1;
    private const int HeaderSize = 48;

    public static string SlotPath(string stem, long sequence) => $"{stem}.crc{sequence & 1}";

    /// <summary>Writes the slot for <paramref name="sequence"/> and fsyncs it.</summary>
    public static void Write(string stem, ChunkId id, long version, long sequence, long length, uint tailCrc, IReadOnlyList<uint> fullBlockCrcs, int fullBlockCount)
    {
        var size = HeaderSize + (4 * fullBlockCount) + 4;
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var span = buffer.AsSpan(0, size);
            BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
            BinaryPrimitives.WriteUInt16LittleEndian(span[4..], FormatVersion);
            BinaryPrimitives.WriteUInt16LittleEndian(span[6..], 0);
            BinaryPrimitives.WriteUInt64LittleEndian(span[8..], id.Value);
            BinaryPrimitives.WriteInt64LittleEndian(span[16..], version);
            BinaryPrimitives.WriteInt64LittleEndian(span[24..], sequence);
            BinaryPrimitives.WriteInt64LittleEndian(span[32..], length);
            BinaryPrimitives.WriteUInt32LittleEndian(span[40..], tailCrc);
            BinaryPrimitives.WriteInt32LittleEndian(span[44..], fullBlockCount);
            for (var i = 0; i < fullBlockCount; i++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(span[(HeaderSize + (4 * i))..], fullBlockCrcs[i]);
            }
            BinaryPrimitives.WriteUInt32LittleEndian(span[^4..], Crc32C.Compute(span[..^4]));
            using var handle = File.OpenHandle(SlotPath(stem, sequence), FileMode.Create, FileAccess.Write);
            RandomAccess.Write(handle, span, 0);
            RandomAccess.FlushToDisk(handle);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The newest valid slot of <paramref name="stem"/> describing that chunk and version, or null.</summary>
    public static PendingSidecar? ReadNewest(string stem, ChunkId id, long version)
    {
        PendingSidecar? best = null;
        foreach (var path in new[] { stem + ".crc0", stem + ".crc1" })
        {
            if (!File.Exists(path))
            {
                continue;
            }
            var candidate = Decode(File.ReadAllBytes(path));
            if (candidate is not null && candidate.Id == id && candidate.Version == version && (best is null || candidate.Sequence > best.Sequence))
            {
                best = candidate;
            }
        }
        return best;
    }

    public static void DeleteSlots(string stem)
    {
        File.Delete(stem + ".crc0");
        File.Delete(stem + ".crc1");
    }

    private static PendingSidecar? Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < HeaderSize + 4 || Crc32C.Compute(bytes[..^4]) != BinaryPrimitives.ReadUInt32LittleEndian(bytes[^4..]))
        {
            return null;
        }
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic || BinaryPrimitives.ReadUInt16LittleEndian(bytes[4..]) != FormatVersion)
        {
            return null;
        }
        var length = BinaryPrimitives.ReadInt64LittleEndian(bytes[32..]);
        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes[44..]);
        if (length < 0 || count < 0 || count != length / ChunkLayout.BlockSize || bytes.Length != HeaderSize + (4 * count) + 4)
        {
            return null;
        }
        var crcs = new uint[count];
        for (var i = 0; i < count; i++)
        {
            crcs[i] = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(HeaderSize + (4 * i))..]);
        }
        return new PendingSidecar(
            new ChunkId(BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..])),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[24..]),
            length,
            BinaryPrimitives.ReadUInt32LittleEndian(bytes[40..]),
            crcs);
    }
}
