using Dfs.Common.Wire;


namespace Dfs.Client.Chunks.Protocol;

/// <summary>Chunks to delete (garbage collection).</summary>
public sealed record DeleteRequest(IReadOnlyList<ChunkId> Ids) : IChunkMessage<DeleteRequest>
{
    public static ChunkFrameType FrameType => ChunkFrameType.Delete;

    public int Size => 4 + 8 * Ids.Count;

    public void Write(ref WireWriter writer)
    {
        writer.WriteInt32(Ids.Count);
        foreach (var id in Ids)
        {
            writer.WriteUInt64(id.Value);
        }
    }

    public static DeleteRequest Read(ref WireReader reader)
    {
        var ids = new ChunkId[reader.ReadCount(WireLength.Int32, 8)];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = new ChunkId(reader.ReadUInt64());
        }
        return new DeleteRequest(ids);
    }
}
