using System.Buffers.Binary;

namespace Dfs.Common.Framing;

/// <summary>
/// The fixed 16-byte header in front of every frame on an inter-node TCP connection:
/// payload length (u32), frame type (u16), flags (u16), request id (u64), all little-endian.
/// </summary>
/// <remarks>
/// The frame type is owned by the protocol running on the connection (Raft transport, chunk protocol);
/// the request id pairs a response with its request when several are in flight on one connection.
/// </remarks>
public readonly record struct FrameHeader(int PayloadLength, ushort Type, ushort Flags, ulong RequestId)
{
    /// <summary>Bytes in an encoded header.</summary>
    public const int Size = 16;

    /// <summary>Writes this header into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, PayloadLength);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], Type);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], Flags);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], RequestId);
    }

    /// <summary>Reads a header from the first <see cref="Size"/> bytes of <paramref name="source"/>.</summary>
    public static FrameHeader Read(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadInt32LittleEndian(source),
        BinaryPrimitives.ReadUInt16LittleEndian(source[4..]),
        BinaryPrimitives.ReadUInt16LittleEndian(source[6..]),
        BinaryPrimitives.ReadUInt64LittleEndian(source[8..]));
}
