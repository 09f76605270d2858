using Dfs.Client.Chunks.Protocol;

namespace Dfs.Client.Chunks;

/// <summary>A finished write: the committed chunk (its final version) and the replicas that hold exactly that.</summary>
/// <param name="Chunk">Final version, length and CRC-32C of the chunk.</param>
/// <param name="Replicas">The servers holding <paramref name="Chunk"/> committed, in pipeline order.</param>
/// <param name="Recoveries">How many times the pipeline was rebuilt after a failure.</param>
public sealed record ChunkWriteResult(ChunkInfo Chunk, IReadOnlyList<ChunkEndpoint> Replicas, int Recoveries);
