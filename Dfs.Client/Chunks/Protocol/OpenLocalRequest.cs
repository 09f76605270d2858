using Dfs.Common.Wire;


namespace Dfs.Client.Chunks.Protocol;

/// <summary>Asks where a committed replica of version at least <see cref="MinimumVersion"/> lies on this machine, to read it without the network.</summary>
public readonly record struct OpenLocalRequest(ChunkId Id, long MinimumVersion) : IChunkMessage<OpenLocalRequest>
{
    public static ChunkFrameType FrameType => ChunkFrameType.OpenLocal;

    public int Size => 16;

    public void Write(ref WireWriter writer)
    {
        writer.WriteUInt64(Id.Value);
        writer.WriteInt64(MinimumVersion);
    }

    public static OpenLocalRequest Read(ref WireReader reader) => new(new ChunkId(reader.ReadUInt64()), reader.ReadInt64());
}
