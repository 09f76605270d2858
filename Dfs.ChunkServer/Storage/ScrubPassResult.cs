using Dfs.Client.Chunks;
namespace Dfs.ChunkServer.Storage;

/// <summary>What one scrub pass checked.</summary>
/// <param name="Replicas">Replicas verified (those deleted during the pass are not counted).</param>
/// <param name="Bytes">Bytes of those replicas.</param>
/// <param name="Corrupt">Replicas that failed verification and were quarantined.</param>
public sealed record ScrubPassResult(int Replicas, long Bytes, int Corrupt);
