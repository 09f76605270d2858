using System.Buffers;
using Dfs.Common.Framing;
using Dfs.Common.Hashing;
using Dfs.Common.Wire;

namespace Dfs.Client.Chunks.Protocol;

/// <summary>Sends and parses chunk protocol frames on a <see cref="FrameConnection"/>.</summary>
/// <remarks>The send methods only buffer; the caller flushes, holding the connection's write lock when writers share it.</remarks>
public static class ChunkWire
{
    /// <summary>Largest data packet: one store block.</summary>
    public const int MaxPacketBytes = 64 * 1024;

    /// <summary>Bytes in front of a packet's data: offset (i64) and CRC-32C (u32).</summary>
    public const int DataHeaderBytes = 12;

    private const int StackLimit = 256;

    /// <summary>Buffers one control message.</summary>
    /// <param name="frameType">Sends the payload under another frame type than the message's own (a ReadHeader carries a chunk's description).</param>
    public static void Send<T>(FrameConnection connection, ulong requestId, T message, ChunkFrameFlags flags = ChunkFrameFlags.None,
        ChunkFrameType? frameType = null)
        where T : IChunkMessage<T>
    {
        var size = message.Size;
        byte[]? rented = null;
        var span = size <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(size));
        try
        {
            var writer = new WireWriter(span[..size]);
            message.Write(ref writer);
            connection.WriteFrame((ushort)(frameType ?? T.FrameType), requestId, span[..size], (ushort)flags);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Buffers a frame with no payload.</summary>
    public static void SendEmpty(FrameConnection connection, ChunkFrameType type, ulong requestId) =>
        connection.WriteFrame((ushort)type, requestId, []);

    /// <summary>Buffers a data packet, computing its CRC-32C.</summary>
    public static void SendData(FrameConnection connection, ulong requestId, long offset, ReadOnlySpan<byte> data) =>
        SendData(connection, requestId, offset, data, Crc32C.Compute(data));

    /// <summary>Buffers a data packet whose CRC-32C the caller computed.</summary>
    public static void SendData(FrameConnection connection, ulong requestId, long offset, ReadOnlySpan<byte> data, uint crc)
    {
        var frame = connection.BeginFrame((ushort)ChunkFrameType.Data, requestId);
        var writer = new WireWriter(frame.GetSpan(DataHeaderBytes + data.Length));
        writer.WriteInt64(offset);
        writer.WriteUInt32(crc);
        writer.WriteSpan(data);
        frame.Advance(DataHeaderBytes + data.Length);
        connection.EndFrame();
    }

    /// <summary>Buffers a received frame unchanged (a data packet or commit passed down a pipeline).</summary>
    public static void Forward(FrameConnection connection, in Frame frame)
    {
        var length = (int)frame.Payload.Length;
        var writer = connection.BeginFrame(frame.Type, frame.RequestId, frame.Header.Flags);
        var span = writer.GetSpan(length);
        frame.Payload.CopyTo(span);
        writer.Advance(length);
        connection.EndFrame();
    }

    /// <summary>Splits a data frame into offset and data and checks the data against the packet's CRC-32C.</summary>
    /// <returns>False if the data does not match its checksum.</returns>
    public static bool TryParseData(in Frame frame, out long offset, out ReadOnlySequence<byte> data) =>
        TryParseData(frame, out offset, out _, out data);

    /// <summary>Splits a data frame into offset, CRC-32C and data and checks the data against the CRC.</summary>
    /// <returns>False if the data does not match its checksum.</returns>
    public static bool TryParseData(in Frame frame, out long offset, out uint crc, out ReadOnlySequence<byte> data)
    {
        var payload = frame.Payload;
        if (payload.Length < DataHeaderBytes || payload.Length > DataHeaderBytes + MaxPacketBytes)
        {
            throw new ChunkProtocolException($"A data packet of {payload.Length} bytes is outside the allowed {DataHeaderBytes}..{DataHeaderBytes + MaxPacketBytes}.");
        }
        Span<byte> header = stackalloc byte[DataHeaderBytes];
        payload.Slice(0, DataHeaderBytes).CopyTo(header);
        var reader = new WireReader(header);
        offset = reader.ReadInt64();
        crc = reader.ReadUInt32();
        data = payload.Slice(DataHeaderBytes);
        return Crc32C.Compute(data) == crc;
    }

    /// <summary>Parses a control message of type <typeparamref name="T"/>.</summary>
    public static T Parse<T>(in Frame frame)
        where T : IChunkMessage<T>
    {
        var payload = frame.Payload;
        if (payload.IsSingleSegment)
        {
            return ParseSpan<T>(payload.FirstSpan);
        }
        var length = checked((int)payload.Length);
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            payload.CopyTo(rented);
            return ParseSpan<T>(rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The expected reply: parses it as <typeparamref name="T"/>, or throws the error it carries, or a
    /// protocol error if it is something else.
    /// </summary>
    /// <exception cref="ChunkServerException">The peer answered with an error, closed the connection, or broke the protocol.</exception>
    public static T Expect<T>(Frame? frame, string peer, ChunkFrameType? frameType = null)
        where T : IChunkMessage<T>
    {
        ThrowIfNotExpected(frame, frameType ?? T.FrameType, peer);
        return Parse<T>(frame!.Value);
    }

    /// <summary>Throws unless <paramref name="frame"/> has type <paramref name="expected"/>.</summary>
    public static void ThrowIfNotExpected(Frame? frame, ChunkFrameType expected, string peer)
    {
        if (frame is not { } f)
        {
            throw new ChunkServerException(ChunkErrorCode.Unreachable, $"Chunk server {peer} closed the connection before answering.");
        }
        if (f.Type == (ushort)ChunkFrameType.Error)
        {
            throw Parse<ErrorMessage>(f).ToException();
        }
        if (f.Type != (ushort)expected)
        {
            throw new ChunkServerException(ChunkErrorCode.Protocol, $"Chunk server {peer} answered with frame type {f.Type} where {expected} was expected.");
        }
    }

    private static T ParseSpan<T>(ReadOnlySpan<byte> payload)
        where T : IChunkMessage<T>
    {
        try
        {
            var reader = new WireReader(payload);
            var message = T.Read(ref reader);
            reader.EnsureEnd(T.FrameType.ToString());
            return message;
        }
        catch (WireFormatException e)
        {
            throw new ChunkProtocolException($"Malformed {T.FrameType} message: {e.Message}", e);
        }
    }
}
