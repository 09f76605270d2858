using Dfs.Common.Wire;

namespace Dfs.Client.Chunks.Protocol;

/// <summary>Bytes [0, <see cref="Offset"/>) are durable on the sender and on every node downstream of it.</summary>
public readonly record struct AckMessage(long Offset) : IChunkMessage<AckMessage>
{
    public static ChunkFrameType FrameType => ChunkFrameType.Ack;

    public int Size => 8;

    public void Write(ref WireWriter writer) => writer.WriteInt64(Offset);

    public static AckMessage Read(ref WireReader reader) => new(reader.ReadInt64());
}
