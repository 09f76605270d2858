using Dfs.Client.Metadata;
namespace Dfs.Raft.Metadata;

/// <summary>
/// Value formats. Entry: kind byte, varint child id. Inode: kind byte, varint parent id, then a directory's varint
/// modified time or a file's current version. Version: varint number, varint size, u32 checksum, content type
/// (varint length + UTF-8), varint time, varint chunk count, then per chunk varint id, varint length, u32
/// checksum, varint chunk version; a version with no chunks and a positive size then holds its inline content, exactly size
/// raw bytes (records written before inline content existed never have that shape, so they read unchanged). Garbage: varint count, varint chunk ids.
/// </summary>
internal static class MetadataCodec
{
    public static byte[] EncodeEntry(EntryKind kind, ulong child)
    {
        var writer = new MetadataWriter();
        writer.Byte((byte)kind);
        writer.VarUInt(child);
        return writer.ToArray();
    }

    public static (EntryKind Kind, ulong Id) DecodeEntry(ReadOnlySpan<byte> value)
    {
        var reader = new MetadataReader(value);
        var kind = Kind(reader.Byte());
        return (kind, reader.VarUInt());
    }

    public static byte[] EncodeInode(InodeRecord inode)
    {
        var writer = new MetadataWriter();
        writer.Byte((byte)inode.Kind);
        writer.VarUInt(inode.Parent);
        if (inode.Kind == EntryKind.Directory)
        {
            writer.VarLong(inode.ModifiedMs);
        }
        else
        {
            WriteVersion(writer, inode.Current ?? throw new ArgumentException("A file inode carries its current version.", nameof(inode)));
        }
        return writer.ToArray();
    }

    public static InodeRecord DecodeInode(ReadOnlySpan<byte> value)
    {
        var reader = new MetadataReader(value);
        var kind = Kind(reader.Byte());
        var parent = reader.VarUInt();
        if (kind == EntryKind.Directory)
        {
            return new InodeRecord(kind, parent, reader.VarLong(), null);
        }
        var current = ReadVersion(ref reader);
        return new InodeRecord(kind, parent, current.CreatedMs, current);
    }

    public static byte[] EncodeVersion(FileVersion version)
    {
        var writer = new MetadataWriter();
        WriteVersion(writer, version);
        return writer.ToArray();
    }

    public static FileVersion DecodeVersion(ReadOnlySpan<byte> value)
    {
        var reader = new MetadataReader(value);
        return ReadVersion(ref reader);
    }

    public static byte[] EncodeChunkIds(IReadOnlyCollection<ulong> ids)
    {
        var writer = new MetadataWriter();
        writer.VarUInt((ulong)ids.Count);
        foreach (var id in ids)
        {
            writer.VarUInt(id);
        }
        return writer.ToArray();
    }

    public static List<ulong> DecodeChunkIds(ReadOnlySpan<byte> value)
    {
        var reader = new MetadataReader(value);
        var count = checked((int)reader.VarUInt());
        var ids = new List<ulong>(Math.Min(count, 4096));
        for (var i = 0; i < count; i++)
        {
            ids.Add(reader.VarUInt());
        }
        return ids;
    }

    private static void WriteVersion(MetadataWriter writer, FileVersion version)
    {
        writer.VarLong(version.Number);
        writer.VarLong(version.Size);
        writer.UInt32(version.Checksum);
        writer.String(version.ContentType);
        writer.VarLong(version.CreatedMs);
        writer.VarUInt((ulong)version.Chunks.Count);
        foreach (var chunk in version.Chunks)
        {
            writer.VarUInt(chunk.ChunkId);
            writer.VarLong(chunk.Length);
            writer.UInt32(chunk.Checksum);
            writer.VarLong(chunk.ChunkVersion);
        }
        if (version.Inline is { } inline)
        {
            if (version.Chunks.Count != 0 || inline.Length != version.Size || inline.Length == 0)
            {
                throw new ArgumentException($"Inline content ({inline.Length} bytes) goes with no chunks and the version's size ({version.Size}).", nameof(version));
            }
            writer.Bytes(inline.Span);
        }
    }

    private static FileVersion ReadVersion(ref MetadataReader reader)
    {
        var number = reader.VarLong();
        var size = reader.VarLong();
        var checksum = reader.UInt32();
        var contentType = reader.String();
        var created = reader.VarLong();
        var count = checked((int)reader.VarUInt());
        var chunks = new ChunkRef[count];
        for (var i = 0; i < count; i++)
        {
            chunks[i] = new ChunkRef(reader.VarUInt(), reader.VarLong(), reader.UInt32(), reader.VarLong());
        }
        ReadOnlyMemory<byte>? inline = count == 0 && size > 0 ? new ReadOnlyMemory<byte>(reader.Bytes(checked((int)size)).ToArray()) : (ReadOnlyMemory<byte>?)null;
        return new FileVersion(number, size, checksum, created, contentType, chunks, inline);
    }

    private static EntryKind Kind(byte value) =>
        value is (byte)EntryKind.Directory or (byte)EntryKind.File ? (EntryKind)value : throw new InvalidDataException($"Unknown entry kind {value}.");
}
