namespace Dfs.Cli.Demo;

/// <summary>One kill of the leader master.</summary>
/// <param name="ElectedAfterMs">When the gateway first saw another master lead, after the kill.</param>
/// <param name="WritesResumedAfterMs">The gap: when the first upload started after the kill was acknowledged.</param>
/// <param name="FailedUploads">Uploads that failed while they overlapped the gap.</param>
/// <param name="RejoinedAfterMs">After the restart: when the dead master was a follower of the new leader in its term with the leader's commit index.</param>
/// <param name="Problem">Why the round stopped short, if it did.</param>
internal sealed record LeaderRound(
    int Round,
    string OldLeader,
    long OldTerm,
    int Pid,
    string? NewLeader,
    long? NewTerm,
    long? ElectedAfterMs,
    long? WritesResumedAfterMs,
    int FailedUploads,
    bool Restarted,
    bool RejoinedAsFollower,
    long? RejoinedAfterMs,
    long? CommitIndex,
    string? Problem);
