namespace Dfs.Raft.Consensus.Transport;

/// <summary>A frame's bytes are not a valid Raft message; the connection that carried them cannot be trusted further.</summary>
public sealed class RaftCodecException(string message) : IOException(message);
