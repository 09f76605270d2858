namespace Dfs.Raft.Consensus.Transport;

/// <summary>A frame's bytes are not a valid Raft message; the connection that carried them cannot be trusted further.</summary>
/// <remarks>Malformed fields found by the shared reader arrive as this type with the <see cref="Dfs.Common.Wire.WireFormatException"/> as its cause.</remarks>
public sealed class RaftCodecException : IOException
{
    public RaftCodecException(string message)
        : base(message)
    {
    }

    public RaftCodecException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
