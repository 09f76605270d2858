using Dfs.Common.Wire;


namespace Dfs.Client.Chunks.Protocol;

/// <summary>Reads bytes [Offset, Offset + Length) of a committed replica whose version is at least <see cref="MinimumVersion"/>.</summary>
public readonly record struct ReadRequest(ChunkId Id, long MinimumVersion, long Offset, long Length) : IChunkMessage<ReadRequest>
{
    public static ChunkFrameType FrameType => ChunkFrameType.Read;

    public int Size => 32;

    public void Write(ref WireWriter writer)
    {
        writer.WriteUInt64(Id.Value);
        writer.WriteInt64(MinimumVersion);
        writer.WriteInt64(Offset);
        writer.WriteInt64(Length);
    }

    public static ReadRequest Read(ref WireReader reader) =>
        new(new ChunkId(reader.ReadUInt64()), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64());
}
