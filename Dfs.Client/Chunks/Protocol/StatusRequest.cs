using Dfs.Common.Wire;


namespace Dfs.Client.Chunks.Protocol;

/// <summary>Asks what a server holds of a chunk; an interrupted write on it is stopped and its bytes made durable first.</summary>
public readonly record struct StatusRequest(ChunkId Id) : IChunkMessage<StatusRequest>
{
    public static ChunkFrameType FrameType => ChunkFrameType.Status;

    public int Size => 8;

    public void Write(ref WireWriter writer) => writer.WriteUInt64(Id.Value);

    public static StatusRequest Read(ref WireReader reader) => new(new ChunkId(reader.ReadUInt64()));
}
