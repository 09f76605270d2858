namespace Dfs.Raft.DotNext;

/// <summary>Defaults of a DotNext-backed master that <c>config.json</c> may override.</summary>
public sealed record DotNextMasterOptions
{
    /// <summary>Entries applied between two snapshots. Default 100 000, as for our engine's masters.</summary>
    public long SnapshotThreshold { get; init; } = 100_000;

    /// <summary>Lower bound of the randomized election timeout when config.json sets none (the upper is twice it). Default 300 ms.</summary>
    public int ElectionTimeoutMs { get; init; } = 300;

    /// <summary>
    /// How long one request between masters (AppendEntries, InstallSnapshot, a vote) may take. Default 60 s. DotNext defaults it to
    /// the lower election timeout, which cancels a snapshot install of a large store again and again so a lagging follower never
    /// catches up; a long request timeout does not slow failure detection, which rests on the followers' election timers, the
    /// candidate's own voting deadline and the connect timeout (kept at the election timeout), not on this.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
