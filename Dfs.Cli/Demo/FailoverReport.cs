namespace Dfs.Cli.Demo;

/// <summary>What <c>dfs demo failover --json</c> prints: every round, the chunk-server phase, the uploads and the timeline.</summary>
/// <param name="GoalMs">Writes should resume within this long of the leader's death (median of the rounds).</param>
/// <param name="MedianGapMs">The median of the rounds' write gaps; null when no round saw writes resume.</param>
/// <param name="LoadAverage">The machine's 1, 5 and 15 minute load averages at the end, where known.</param>
/// <param name="StartedAtUtc">The wall-clock time of the demo's 0 ms, to line the timeline up with the nodes' logs.</param>
internal sealed record FailoverReport(
    string Gateway,
    int Writers,
    double GoalMs,
    IReadOnlyList<LeaderRound> Rounds,
    double? MedianGapMs,
    bool GoalMet,
    ChunkServerPhase? ChunkServer,
    UploadSummary Uploads,
    double[]? LoadAverage,
    IReadOnlyList<TimelineEvent> Timeline,
    DateTimeOffset? StartedAtUtc = null);
