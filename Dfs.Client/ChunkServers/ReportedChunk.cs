using Dfs.Common.Wire;

namespace Dfs.Client.ChunkServers;

/// <summary>A committed replica as a heartbeat reports it.</summary>
public readonly record struct ReportedChunk(ulong Id, long Version, long Length)
{
    /// <summary>Bytes of the smallest encoding (id, then one-byte varints), for bounding counts read off the wire.</summary>
    internal const int MinimumSize = 8 + 1 + 1;

    internal void Write(ref WireWriter writer)
    {
        writer.WriteUInt64(Id);
        writer.WriteVarInt64(Version);
        writer.WriteVarInt64(Length);
    }

    internal static ReportedChunk Read(ref WireReader reader)
    {
        var id = reader.ReadUInt64("chunk id");
        var version = reader.ReadVarInt64("chunk version");
        var length = reader.ReadVarInt64("chunk length");
        if (version < 0 || length < 0)
        {
            throw new WireFormatException($"Chunk {id:x16} is reported with version {version} and length {length}; neither may be negative.");
        }
        return new ReportedChunk(id, version, length);
    }
}
