using Dfs.Client.Chunks;

namespace Dfs.ChunkServer.Storage;

/// <summary>What changed in a store's committed replicas after some change number (<see cref="IChunkStore.ChangesSince"/>).</summary>
/// <param name="Sequence">The number of the last change included.</param>
/// <param name="Chunks">Each chunk changed, once, with its replica as it is now (null: no longer held).</param>
public sealed record ReplicaChanges(long Sequence, IReadOnlyList<(ChunkId Id, ChunkInfo? Current)> Chunks);
