namespace Dfs.Raft.DotNext;

/// <summary>Defaults of a DotNext-backed master that <c>config.json</c> may override.</summary>
public sealed record DotNextMasterOptions
{
    /// <summary>Entries applied between two snapshots. Default 100 000, as for our engine's masters.</summary>
    public long SnapshotThreshold { get; init; } = 100_000;

    /// <summary>Lower bound of the randomized election timeout when config.json sets none (the upper is twice it). Default 300 ms.</summary>
    public int ElectionTimeoutMs { get; init; } = 300;
}
