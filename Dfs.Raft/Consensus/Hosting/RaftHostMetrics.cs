using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Dfs.Raft.Consensus.Hosting;

/// <summary>The Raft host's instruments, on the meter <c>Dfs.Raft.Host</c>; every measurement is tagged with the node id.</summary>
internal sealed class RaftHostMetrics
{
    public const string MeterName = "Dfs.Raft.Host";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Committed = Meter.CreateCounter<long>("dfs.raft.proposals.committed", "{proposal}",
        "Proposals applied and answered on this node.");
    private static readonly Counter<long> Applied = Meter.CreateCounter<long>("dfs.raft.entries.applied", "{entry}",
        "Committed entries applied to the state machine.");
    private static readonly Histogram<long> EntriesPerSync = Meter.CreateHistogram<long>("dfs.raft.log.entries_per_sync", "{entry}",
        "Entries made durable by one fsync of the log (group commit).");
    private static readonly Histogram<double> SyncDuration = Meter.CreateHistogram<double>("dfs.raft.log.sync.duration", "s",
        "Time to persist one Ready: appends, hard state and the fsync.");

    private readonly KeyValuePair<string, object?> _node;

    public RaftHostMetrics(string nodeId)
    {
        _node = new KeyValuePair<string, object?>("dfs.raft.node", nodeId);
    }

    public void ProposalCommitted() => Committed.Add(1, _node);

    public void EntriesApplied(int count)
    {
        if (count > 0)
        {
            Applied.Add(count, _node);
        }
    }

    public void Persisted(int entries, long startTimestamp)
    {
        EntriesPerSync.Record(entries, _node);
        SyncDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, _node);
    }
}
