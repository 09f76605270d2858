using Dfs.Hosting.Metrics;
using Dfs.Raft.Consensus;
using Prometheus;

namespace Dfs.Raft.Master;

/// <summary>
/// A master's Raft metrics: term, indexes and role are read from the host's status at each scrape; leader changes
/// are counted as the host reports them, so a flip between two scrapes is not missed.
/// </summary>
public sealed class MasterMetrics
{
    public MasterMetrics(NodeMetrics metrics, IMasterKv kv, IMasterLeadership leadership)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(kv);
        ArgumentNullException.ThrowIfNull(leadership);
        var factory = metrics.Factory;
        var term = factory.CreateGauge("dfs_raft_term", "The Raft term this master is in.");
        var commit = factory.CreateGauge("dfs_raft_commit_index", "The highest log index this master knows committed.");
        var applied = factory.CreateGauge("dfs_raft_applied_index", "The highest log index this master has applied to its state.");
        var lastLog = factory.CreateGauge("dfs_raft_last_log_index", "The last index of this master's log.");
        var snapshot = factory.CreateGauge("dfs_raft_snapshot_index", "The log index of this master's latest snapshot.");
        var leader = factory.CreateGauge("dfs_raft_is_leader", "1 while this master leads, else 0.");
        var lagging = factory.CreateGauge("dfs_raft_lagging_followers", "Followers this leader sees too far behind to count on (0 on followers).");
        var leaderChanges = factory.CreateCounter("dfs_raft_leader_changes_total", "Times this master saw the leader change (a new leader or none).");
        leadership.LeaderChanged += (_, _) => leaderChanges.Inc();
        metrics.BeforeScrape(() =>
        {
            var s = kv.Status;
            term.Set(s.Term);
            commit.Set(s.CommitIndex);
            applied.Set(s.AppliedIndex);
            lastLog.Set(s.LastLogIndex);
            snapshot.Set(s.SnapshotIndex);
            leader.Set(s.Role == nameof(RaftRole.Leader) ? 1 : 0);
            lagging.Set(s.LaggingFollowers.Count);
        });
    }
}
