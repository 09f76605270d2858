namespace Dfs.Client.Chunks.Protocol;

/// <summary>A frame's payload is malformed or arrived where the protocol does not allow it.</summary>
public sealed class ChunkProtocolException(string message) : IOException(message);
