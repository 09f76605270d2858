namespace Dfs.Raft.Consensus.Hosting;

/// <summary>What a node reports about itself: a consistent snapshot taken by its event loop.</summary>
public sealed record RaftStatus(
    string Id,
    RaftRole Role,
    long Term,
    string? LeaderId,
    long CommitIndex,
    long AppliedIndex,
    long LastLogIndex,
    long SnapshotIndex,
    ClusterConfiguration Members)
{
    /// <summary>On a leader: followers that answer but have stayed behind the commit index (see <see cref="RaftNode.LaggingFollowers"/>).</summary>
    public IReadOnlyList<string> LaggingFollowers { get; init; } = [];
}

/// <summary>The leader known to a node changed.</summary>
public sealed class LeaderChangedEventArgs(string? leaderId, long term) : EventArgs
{
    /// <summary>The new leader, or null while none is known.</summary>
    public string? LeaderId { get; } = leaderId;

    /// <summary>The term in which it leads.</summary>
    public long Term { get; } = term;
}
