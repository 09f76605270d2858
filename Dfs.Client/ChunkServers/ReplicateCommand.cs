using Dfs.Client.Chunks.Protocol;

namespace Dfs.Client.ChunkServers;

/// <summary>Copy chunk <paramref name="ChunkId"/> at <paramref name="Version"/> (or later) from the first of <paramref name="Sources"/> that serves it.</summary>
public sealed record ReplicateCommand(ulong ChunkId, long Version, IReadOnlyList<ChunkEndpoint> Sources);
