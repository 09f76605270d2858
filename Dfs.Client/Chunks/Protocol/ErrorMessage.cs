using Dfs.Common.Wire;

namespace Dfs.Client.Chunks.Protocol;

/// <summary>
/// A failure answer. <see cref="Hops"/> says how far down a write pipeline from the sender it happened
/// (0: on the sender itself), so the writer can leave that replica out.
/// </summary>
public sealed record ErrorMessage(ChunkErrorCode Code, int Hops, string Message) : IChunkMessage<ErrorMessage>
{
    public static ChunkFrameType FrameType => ChunkFrameType.Error;

    public int Size => 2 + 1 + WireWriter.StringSize(WireLength.UInt16, Message);

    public void Write(ref WireWriter writer)
    {
        writer.WriteUInt16((ushort)Code);
        writer.WriteByte((byte)Hops);
        writer.WriteString(WireLength.UInt16, Message);
    }

    public static ErrorMessage Read(ref WireReader reader) =>
        new((ChunkErrorCode)reader.ReadUInt16(), reader.ReadByte(), reader.ReadString(WireLength.UInt16));

    public ChunkServerException ToException() => new(Code, Message, Hops);
}
