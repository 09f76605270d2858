namespace Dfs.Cli.Gateway.Contracts;

/// <summary>The answer to <c>GET /api/cluster</c>.</summary>
public sealed record ClusterView(
    string? Leader,
    IReadOnlyList<MasterInfo>? Masters,
    IReadOnlyList<ChunkServerInfo>? ChunkServers,
    int ReplicationFactor,
    long UnderReplicatedChunks,
    long ReplicationsInFlight);
