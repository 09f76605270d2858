using Dfs.Common.Wire;

namespace Dfs.Client.Chunks.Protocol;

/// <summary>What a server holds of a chunk: for a pending write, its durable length; for a committed replica, its description.</summary>
public readonly record struct StatusReply(ChunkState State, long Version, long Length, uint Checksum) : IChunkMessage<StatusReply>
{
    public static ChunkFrameType FrameType => ChunkFrameType.StatusReply;

    public int Size => 21;

    public void Write(ref WireWriter writer)
    {
        writer.WriteByte((byte)State);
        writer.WriteInt64(Version);
        writer.WriteInt64(Length);
        writer.WriteUInt32(Checksum);
    }

    public static StatusReply Read(ref WireReader reader)
    {
        var state = reader.ReadByte();
        if (state > (byte)ChunkState.Committed)
        {
            throw new ChunkProtocolException($"Status state {state} is unknown.");
        }
        return new StatusReply((ChunkState)state, reader.ReadInt64(), reader.ReadInt64(), reader.ReadUInt32());
    }
}
