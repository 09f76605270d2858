using System.Buffers;

namespace Dfs.Common.Framing;

/// <summary>Parses frames out of buffered bytes without copying the payload.</summary>
public static class FrameParser
{
    /// <summary>
    /// Tries to take one whole frame from the front of <paramref name="buffer"/>. On success the buffer is
    /// sliced past the frame; on failure it is untouched and more bytes are needed.
    /// </summary>
    /// <exception cref="FramingException">The header announces a negative or oversized payload.</exception>
    public static bool TryParse(ref ReadOnlySequence<byte> buffer, int maxPayloadBytes, out Frame frame)
    {
        frame = default;
        if (buffer.Length < FrameHeader.Size)
        {
            return false;
        }

        Span<byte> headerBytes = stackalloc byte[FrameHeader.Size];
        buffer.Slice(0, FrameHeader.Size).CopyTo(headerBytes);
        var header = FrameHeader.Read(headerBytes);
        if (header.PayloadLength < 0 || header.PayloadLength > maxPayloadBytes)
        {
            throw new FramingException(
                $"Frame of type {header.Type} announces {header.PayloadLength} payload bytes; the limit is {maxPayloadBytes}.");
        }

        long total = FrameHeader.Size + (long)header.PayloadLength;
        if (buffer.Length < total)
        {
            return false;
        }

        frame = new Frame(header, buffer.Slice(FrameHeader.Size, header.PayloadLength));
        buffer = buffer.Slice(total);
        return true;
    }
}
