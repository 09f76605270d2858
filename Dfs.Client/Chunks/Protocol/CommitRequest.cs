using Dfs.Common.Wire;

namespace Dfs.Client.Chunks.Protocol;

/// <summary>Ends a write: every replica must hold exactly <see cref="Length"/> bytes whose CRC-32C is <see cref="Checksum"/>.</summary>
public readonly record struct CommitRequest(long Length, uint Checksum) : IChunkMessage<CommitRequest>
{
    public static ChunkFrameType FrameType => ChunkFrameType.Commit;

    public int Size => 12;

    public void Write(ref WireWriter writer)
    {
        writer.WriteInt64(Length);
        writer.WriteUInt32(Checksum);
    }

    public static CommitRequest Read(ref WireReader reader) => new(reader.ReadInt64(), reader.ReadUInt32());
}
