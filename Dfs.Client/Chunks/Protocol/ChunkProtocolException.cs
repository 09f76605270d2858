namespace Dfs.Client.Chunks.Protocol;

/// <summary>A frame's payload is malformed or arrived where the protocol does not allow it.</summary>
/// <remarks>
/// Malformed bytes surface from the shared reader as <see cref="Dfs.Common.Wire.WireFormatException"/>; the chunk
/// protocol reports them as this type (an <see cref="IOException"/>, like a broken connection) with that as the cause.
/// </remarks>
public sealed class ChunkProtocolException : IOException
{
    public ChunkProtocolException(string message)
        : base(message)
    {
    }

    public ChunkProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
