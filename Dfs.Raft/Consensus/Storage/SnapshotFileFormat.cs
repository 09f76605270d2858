using System.Buffers;
using System.Buffers.Binary;
using Dfs.Common.Hashing;

namespace Dfs.Raft.Consensus.Storage;

/// <summary>
/// The layout of a snapshot file: a header, the body as the state machine wrote it, and a trailer.
/// Header: "DFSSNAP1", u32 header length, then (i64 index, i64 term, u32 configuration length, configuration
/// bytes), then u32 CRC-32C of everything before it. Trailer: u64 body length, u32 CRC-32C of the body,
/// "DFSSEND1". All little-endian.
/// </summary>
internal static class SnapshotFileFormat
{
    public const int TrailerSize = 20;

    private const int MaxHeaderLength = 1 << 20;

    private static ReadOnlySpan<byte> HeaderMagic => "DFSSNAP1"u8;

    private static ReadOnlySpan<byte> TrailerMagic => "DFSSEND1"u8;

    /// <summary>Encodes the header for <paramref name="metadata"/>.</summary>
    public static byte[] EncodeHeader(SnapshotMetadata metadata)
    {
        var configuration = metadata.Configuration.Encode();
        var headerLength = 20 + configuration.Length;
        var bytes = new byte[12 + headerLength + 4];
        HeaderMagic.CopyTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), headerLength);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(12), metadata.Index);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(20), metadata.Term);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(28), configuration.Length);
        configuration.CopyTo(bytes.AsSpan(32));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), Crc32C.Compute(bytes.AsSpan(0, bytes.Length - 4)));
        return bytes;
    }

    public static void WriteTrailer(Span<byte> destination, long bodyLength, uint bodyCrc)
    {
        BinaryPrimitives.WriteInt64LittleEndian(destination, bodyLength);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], bodyCrc);
        TrailerMagic.CopyTo(destination[12..]);
    }

    /// <summary>
    /// Checks a whole snapshot file (header CRC, lengths, body CRC) and returns its metadata and where the body lies.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not an intact snapshot; the message says what is wrong.</exception>
    public static (SnapshotMetadata Metadata, long BodyOffset, long BodyLength) Verify(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var fileLength = file.Length;
        Span<byte> prefix = stackalloc byte[12];
        if (fileLength < 12 + TrailerSize || file.Read(prefix) != 12 || !prefix[..8].SequenceEqual(HeaderMagic))
        {
            throw new InvalidDataException("it does not start with a snapshot header");
        }
        var headerLength = BinaryPrimitives.ReadInt32LittleEndian(prefix[8..]);
        if (headerLength is < 20 or > MaxHeaderLength || 12L + headerLength + 4 + TrailerSize > fileLength)
        {
            throw new InvalidDataException($"its header claims {headerLength} bytes in a file of {fileLength}");
        }
        var header = new byte[12 + headerLength + 4];
        prefix.CopyTo(header);
        file.ReadExactly(header, 12, header.Length - 12);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(header.Length - 4)) != Crc32C.Compute(header.AsSpan(0, header.Length - 4)))
        {
            throw new InvalidDataException("its header CRC does not match");
        }
        var index = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(12));
        var term = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(20));
        var configurationLength = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(28));
        if (configurationLength != headerLength - 20)
        {
            throw new InvalidDataException($"its configuration length {configurationLength} does not fit its header");
        }
        var configuration = ClusterConfiguration.Decode(header.AsSpan(32, configurationLength));

        var bodyOffset = (long)header.Length;
        var bodyLength = fileLength - bodyOffset - TrailerSize;
        Span<byte> trailer = stackalloc byte[TrailerSize];
        file.Position = fileLength - TrailerSize;
        file.ReadExactly(trailer);
        if (!trailer[12..].SequenceEqual(TrailerMagic) || BinaryPrimitives.ReadInt64LittleEndian(trailer) != bodyLength)
        {
            throw new InvalidDataException("its trailer is missing or names another body length (the file is incomplete)");
        }
        var expectedCrc = BinaryPrimitives.ReadUInt32LittleEndian(trailer[8..]);

        file.Position = bodyOffset;
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            var crc = uint.MaxValue;
            var left = bodyLength;
            while (left > 0)
            {
                var read = file.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                if (read == 0)
                {
                    throw new InvalidDataException("its body ends early");
                }
                crc = Crc32C.Append(crc, buffer.AsSpan(0, read));
                left -= read;
            }
            if (~crc != expectedCrc)
            {
                throw new InvalidDataException("its body CRC does not match");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return (new SnapshotMetadata(index, term, configuration), bodyOffset, bodyLength);
    }
}
