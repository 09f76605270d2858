using Dfs.Common.Wire;


namespace Dfs.Client.Chunks.Protocol;

/// <summary>A committed replica's description (the payload of Committed and ReadHeader frames).</summary>
public readonly record struct ChunkInfoMessage(ChunkInfo Info) : IChunkMessage<ChunkInfoMessage>
{
    public const int EncodedSize = 28;

    public static ChunkFrameType FrameType => ChunkFrameType.Committed;

    public int Size => EncodedSize;

    public void Write(ref WireWriter writer) => WriteInfo(ref writer, Info);

    public static ChunkInfoMessage Read(ref WireReader reader) => new(ReadInfo(ref reader));

    public static void WriteInfo(ref WireWriter writer, ChunkInfo info)
    {
        writer.WriteUInt64(info.Id.Value);
        writer.WriteInt64(info.Version);
        writer.WriteInt64(info.Length);
        writer.WriteUInt32(info.Checksum);
    }

    public static ChunkInfo ReadInfo(ref WireReader reader) =>
        new(new ChunkId(reader.ReadUInt64()), reader.ReadInt64(), reader.ReadInt64(), reader.ReadUInt32());
}
