using Dfs.Raft.Consensus.Storage;

namespace Dfs.Raft.Consensus.Hosting;

public sealed partial class RaftHost
{
    /// <summary>Recovers the log and the latest snapshot, restores the state machine from it, and builds the node.</summary>
    private RaftNode Boot()
    {
        var initial = new ClusterConfiguration(_options.Members);
        var recovered = _logStore.Recover();
        var latest = _snapshotStore.Latest;
        var entries = recovered.Entries;
        SnapshotMetadata? snapshot = null;
        _appliedConfiguration = initial;
        if (latest is { } stored)
        {
            snapshot = stored.Metadata;
            using (var stream = stored.Payload.OpenRead())
            {
                _stateMachine.RestoreSnapshot(stream);
            }
            _appliedIndex = _snapshotIndex = snapshot.Index;
            _appliedTerm = snapshot.Term;
            _appliedConfiguration = snapshot.Configuration;
            entries = EntriesContinuing(snapshot, entries);
        }
        var node = new RaftNode(_options.ToRaftOptions(), new RaftBootState(recovered.HardState, snapshot, entries, initial), _random);
        Log.Starting(_logger, Id, node.Term, node.FirstLogIndex, node.LastLogIndex, _snapshotIndex, node.Configuration.ToString());
        return node;
    }

    /// <summary>
    /// The stored entries after <paramref name="snapshot"/>, if they continue it. A node that crashed between
    /// saving a snapshot from the leader and resetting its log may hold entries of another history; those go.
    /// </summary>
    private IReadOnlyList<LogEntry> EntriesContinuing(SnapshotMetadata snapshot, IReadOnlyList<LogEntry> entries)
    {
        var reconciled = SnapshotLogReconciliation.ReconcileStore(_logStore, snapshot, entries);
        if (reconciled.DiscardedEntries)
        {
            Log.DiscardingLogAfterSnapshot(_logger, Id, snapshot.Index);
        }
        return reconciled.Entries;
    }

    /// <summary>Makes a snapshot from the leader durable, restores the state machine from it and resets the log behind it.</summary>
    private void InstallReceivedSnapshot(ReceivedSnapshot snapshot)
    {
        var metadata = snapshot.Metadata;
        try
        {
            var saved = _snapshotStore.Save(metadata, destination =>
            {
                using var source = snapshot.Payload.OpenRead();
                source.CopyTo(destination);
            });
            using (var stream = saved.OpenRead())
            {
                _stateMachine.RestoreSnapshot(stream);
            }
        }
        finally
        {
            // What the transport received belongs to this host; the store now has its own copy.
            if (snapshot.Payload is FileSnapshotPayload received)
            {
                File.Delete(received.Path);
            }
        }
        _logStore.Reset(metadata.Index + 1);
        _appliedIndex = _snapshotIndex = metadata.Index;
        _appliedTerm = metadata.Term;
        _appliedConfiguration = metadata.Configuration;
        FailProposals(metadata.Index, "a snapshot from the leader replaced the log before its entry was applied here.");
        Log.SnapshotInstalled(_logger, Id, metadata.Index, metadata.Term);
    }

    /// <summary>Takes a snapshot once enough entries were applied since the last, then lets the core and the store drop what it covers.</summary>
    private void MaybeTakeSnapshot(RaftNode node)
    {
        if (_appliedIndex - _snapshotIndex < _options.SnapshotThreshold)
        {
            return;
        }
        var metadata = new SnapshotMetadata(_appliedIndex, _appliedTerm, _appliedConfiguration);
        _snapshotStore.Save(metadata, _stateMachine.WriteSnapshot);
        node.ReportSnapshot(metadata);
        // The log belongs to the persistence stage: compaction queues behind the writes before it.
        EnqueuePersist(new CompactLog(metadata.Index));
        _snapshotIndex = metadata.Index;
        Log.SnapshotTaken(_logger, Id, metadata.Index, metadata.Term);
    }
}
