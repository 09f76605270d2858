using System.Buffers;

namespace Dfs.Common.Framing;

/// <summary>A frame read from a connection. The payload is valid only until the next read on that connection.</summary>
public readonly record struct Frame(FrameHeader Header, ReadOnlySequence<byte> Payload)
{
    public ushort Type => Header.Type;

    public ulong RequestId => Header.RequestId;
}
