using Dfs.Client.Chunks;
using Dfs.Client.ChunkServers;

namespace Dfs.Client.Metadata;

/// <summary>A chunk the leader allocated for a write: its id, the chunk version to write, and the pipeline (primary first).</summary>
public sealed record ChunkAllocation(ChunkId Id, long Version, IReadOnlyList<ChunkServerAddress> Pipeline)
{
    /// <summary>The most chunks one request may allocate (<see cref="IMetadataService.AllocateChunksAsync"/>).</summary>
    public const int MaxPerRequest = 64;
}
