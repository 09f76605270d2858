using Dfs.Client.ChunkServers;
using Dfs.Common.Wire;

namespace Dfs.Client.Metadata.Protocol;

/// <summary>The field encodings the metadata request and result codecs share, and the measure-then-write pattern they encode with.</summary>
internal static class MetadataWire
{
    /// <summary>Longest string field (a path is at most 4 KiB; the rest are shorter).</summary>
    public const int MaxStringBytes = 8192;

    /// <summary>Most items in a list of names or servers.</summary>
    public const int MaxListItems = 4096;

    public delegate void Write<in T>(ref WireWriter writer, T value);

    public delegate T Read<out T>(ref WireReader reader);

    /// <summary>Encodes <paramref name="value"/> into an array of exactly its size.</summary>
    public static byte[] Encode<T>(T value, Write<T> write)
    {
        var measure = WireWriter.Measuring();
        write(ref measure, value);
        var bytes = new byte[measure.Position];
        var writer = new WireWriter(bytes);
        write(ref writer, value);
        return bytes;
    }

    public static void String(ref WireWriter writer, string value) => writer.WriteString(WireLength.VarUInt, value);

    public static string String(ref WireReader reader, string field) =>
        reader.ReadString(WireLength.VarUInt, MaxStringBytes, field, strict: true);

    public static void OptionalString(ref WireWriter writer, string? value)
    {
        writer.WriteBoolean(value is not null);
        if (value is not null)
        {
            String(ref writer, value);
        }
    }

    public static string? OptionalString(ref WireReader reader, string field) =>
        reader.ReadBoolean(field + " flag") ? String(ref reader, field) : null;

    public static void Long(ref WireWriter writer, long value) => writer.WriteVarInt64(value);

    public static long Long(ref WireReader reader, string field) => reader.ReadVarInt64(field);

    public static void Strings(ref WireWriter writer, IReadOnlyList<string> values)
    {
        writer.WriteLength(WireLength.VarUInt, values.Count);
        foreach (var value in values)
        {
            String(ref writer, value);
        }
    }

    public static string[] Strings(ref WireReader reader, string field)
    {
        var values = new string[reader.ReadCount(WireLength.VarUInt, 1, MaxListItems, field)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = String(ref reader, field);
        }
        return values;
    }

    public static void Address(ref WireWriter writer, ChunkServerAddress address)
    {
        String(ref writer, address.Id);
        String(ref writer, address.Host);
        writer.WriteInt32(address.Port);
    }

    public static ChunkServerAddress Address(ref WireReader reader) =>
        new(String(ref reader, "server id"), String(ref reader, "server host"), reader.ReadInt32("server port"));

    public static void Addresses(ref WireWriter writer, IReadOnlyList<ChunkServerAddress> addresses)
    {
        writer.WriteLength(WireLength.VarUInt, addresses.Count);
        foreach (var address in addresses)
        {
            Address(ref writer, address);
        }
    }

    public static ChunkServerAddress[] Addresses(ref WireReader reader, string field)
    {
        var values = new ChunkServerAddress[reader.ReadCount(WireLength.VarUInt, 6, MaxListItems, field)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Address(ref reader);
        }
        return values;
    }

    public static void Chunk(ref WireWriter writer, ChunkRef chunk)
    {
        writer.WriteUInt64(chunk.ChunkId);
        Long(ref writer, chunk.Length);
        writer.WriteUInt32(chunk.Checksum);
        Long(ref writer, chunk.ChunkVersion);
    }

    public static ChunkRef Chunk(ref WireReader reader) =>
        new(reader.ReadUInt64("chunk id"), Long(ref reader, "chunk length"), reader.ReadUInt32("chunk checksum"), Long(ref reader, "chunk version"));

    public static void Chunks(ref WireWriter writer, IReadOnlyList<ChunkRef> chunks)
    {
        writer.WriteLength(WireLength.VarUInt, chunks.Count);
        foreach (var chunk in chunks)
        {
            Chunk(ref writer, chunk);
        }
    }

    public static ChunkRef[] Chunks(ref WireReader reader)
    {
        var chunks = new ChunkRef[reader.ReadCount(WireLength.VarUInt, 14, NewVersion.MaxChunks, "chunk count")];
        for (var i = 0; i < chunks.Length; i++)
        {
            chunks[i] = Chunk(ref reader);
        }
        return chunks;
    }

    /// <summary>
    /// What follows a version's chunk list: when the version has no chunks and a positive size, its inline content, exactly
    /// size raw bytes; otherwise nothing. A chunked or empty version encodes as it always did (no earlier encoding had a
    /// chunkless version with a positive size), and an inline one costs no extra field.
    /// </summary>
    public static void Inline(ref WireWriter writer, long size, int chunkCount, ReadOnlyMemory<byte>? inline)
    {
        if (inline is { } data)
        {
            if (chunkCount != 0 || data.Length != size || size == 0)
            {
                throw new ArgumentException($"Inline content ({data.Length} bytes) goes with no chunks and the version's size ({size}).", nameof(inline));
            }
            writer.WriteSpan(data.Span);
        }
        else if (chunkCount == 0 && size > 0)
        {
            throw new ArgumentException($"A version of {size} bytes lists chunks or carries its content inline.", nameof(inline));
        }
    }

    /// <summary>Reads what <see cref="Inline(ref WireWriter, long, int, ReadOnlyMemory{byte}?)"/> wrote (null for a chunked or empty version).</summary>
    public static ReadOnlyMemory<byte>? Inline(ref WireReader reader, long size, int chunkCount)
    {
        if (chunkCount > 0 || size <= 0)
        {
            return null;
        }
        if (size > NewVersion.MaxInlineBytes)
        {
            throw new WireFormatException($"An inline version holds at most {NewVersion.MaxInlineBytes} bytes; this one claims {size}.");
        }
        return reader.ReadSpan((int)size, "inline content").ToArray();
    }

    public static void Longs(ref WireWriter writer, IReadOnlyList<long> values)
    {
        writer.WriteLength(WireLength.VarUInt, values.Count);
        foreach (var value in values)
        {
            Long(ref writer, value);
        }
    }

    public static long[] Longs(ref WireReader reader, string field)
    {
        var values = new long[reader.ReadCount(WireLength.VarUInt, 1, field: field)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Long(ref reader, field);
        }
        return values;
    }

    public static void ChunkIds(ref WireWriter writer, IReadOnlyList<ulong> values)
    {
        writer.WriteLength(WireLength.VarUInt, values.Count);
        foreach (var value in values)
        {
            writer.WriteUInt64(value);
        }
    }

    public static ulong[] ChunkIds(ref WireReader reader, string field)
    {
        var values = new ulong[reader.ReadCount(WireLength.VarUInt, 8, field: field)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = reader.ReadUInt64(field);
        }
        return values;
    }
}
