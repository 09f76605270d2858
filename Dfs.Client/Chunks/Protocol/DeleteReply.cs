using Dfs.Common.Wire;

namespace Dfs.Client.Chunks.Protocol;

/// <summary>How many of the chunks named in a delete request were held here and removed.</summary>
public readonly record struct DeleteReply(int Deleted) : IChunkMessage<DeleteReply>
{
    public static ChunkFrameType FrameType => ChunkFrameType.DeleteDone;

    public int Size => 4;

    public void Write(ref WireWriter writer) => writer.WriteInt32(Deleted);

    public static DeleteReply Read(ref WireReader reader) => new(reader.ReadInt32());
}
