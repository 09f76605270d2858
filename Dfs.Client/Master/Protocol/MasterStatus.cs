namespace Dfs.Client.Master.Protocol;

/// <summary>
/// One master's Raft state: what a <see cref="MasterRequestKind.Status"/> request answers and what the master's
/// <c>GET /raft/status</c> reports.
/// </summary>
public sealed record MasterStatus(
    string Id,
    string Role,
    long Term,
    string? LeaderId,
    long CommitIndex,
    long AppliedIndex,
    long LastLogIndex,
    long SnapshotIndex,
    IReadOnlyList<string> Members,
    int Pid)
{
    /// <summary>On the leader: followers that answer but have stayed behind the commit index for several election timeouts.</summary>
    public IReadOnlyList<string> LaggingFollowers { get; init; } = [];
}
