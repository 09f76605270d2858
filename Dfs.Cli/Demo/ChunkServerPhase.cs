namespace Dfs.Cli.Demo;

/// <summary>One kill of a chunk server.</summary>
/// <param name="SpareServers">More live servers than the replication factor remained, so its chunks could be copied while it was down.</param>
/// <param name="DeclaredDeadAfterMs">When the leader listed it not alive, after the kill.</param>
/// <param name="MaxUnderReplicated">The most chunks seen below the replication factor.</param>
/// <param name="ReReplicatedAfterMs">When no chunk was under-replicated any more, after the kill.</param>
/// <param name="ReReplicatedWhileDown">True when that happened before the restart (copies to the other servers).</param>
internal sealed record ChunkServerPhase(
    string Id,
    int Pid,
    long ChunksHeld,
    bool SpareServers,
    long? DeclaredDeadAfterMs,
    long MaxUnderReplicated,
    long? ReReplicatedAfterMs,
    bool ReReplicatedWhileDown,
    int UploadsAcknowledgedWhileDown,
    int UploadsFailedWhileDown,
    bool Restarted,
    long? BackAfterMs,
    string? Problem);
