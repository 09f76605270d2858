using Dfs.Common.Wire;


namespace Dfs.Client.Chunks.Protocol;

/// <summary>Tells a server to fetch a committed replica (version at least <see cref="Version"/>) from <see cref="Source"/>: re-replication.</summary>
public sealed record CopyFromRequest(ChunkId Id, long Version, ChunkEndpoint Source) : IChunkMessage<CopyFromRequest>
{
    public static ChunkFrameType FrameType => ChunkFrameType.CopyFrom;

    public int Size => 16 + WireWriter.StringSize(WireLength.UInt16, Source.Host) + 2;

    public void Write(ref WireWriter writer)
    {
        writer.WriteUInt64(Id.Value);
        writer.WriteInt64(Version);
        writer.WriteString(WireLength.UInt16, Source.Host);
        writer.WriteUInt16((ushort)Source.Port);
    }

    public static CopyFromRequest Read(ref WireReader reader) =>
        new(new ChunkId(reader.ReadUInt64()), reader.ReadInt64(), new ChunkEndpoint(reader.ReadString(WireLength.UInt16), reader.ReadUInt16()));
}
