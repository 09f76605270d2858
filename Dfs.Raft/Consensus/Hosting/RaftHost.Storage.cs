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

    /// <summary>Makes a snapshot from the leader durable, restores the state machine from it, and resets the log behind it or compacts a log that continues it.</summary>
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
        if (snapshot.KeepsLog)
        {
            // The log continues the snapshot and may hold acknowledged entries after it: only drop what it covers.
            _logStore.CompactThrough(metadata.Index);
        }
        else
        {
            _logStore.Reset(metadata.Index + 1);
        }
        _appliedIndex = _snapshotIndex = metadata.Index;
        _appliedTerm = metadata.Term;
        _appliedConfiguration = metadata.Configuration;
        FailProposals(metadata.Index, "a snapshot from the leader replaced the log before its entry was applied here.");
        Log.SnapshotInstalled(_logger, Id, metadata.Index, metadata.Term);
    }

    /// <summary>
    /// Starts a snapshot once enough entries were applied since the last: the state is captured on the loop
    /// (cheap for a state machine with a point-in-time view) and written and saved on a background task, so the
    /// loop keeps heartbeating meanwhile; <see cref="OnSnapshotSaved"/> finishes it.
    /// </summary>
    private void MaybeTakeSnapshot(RaftNode node)
    {
        if (_snapshotSave is not null || _appliedIndex - _snapshotIndex < _options.SnapshotThreshold)
        {
            return;
        }
        var metadata = new SnapshotMetadata(_appliedIndex, _appliedTerm, _appliedConfiguration);
        var write = _stateMachine.CaptureSnapshot();
        _snapshotSave = Task.Run(() =>
        {
            try
            {
                _snapshotStore.Save(metadata, write);
                Enqueue(new SnapshotSavedEvent(metadata, null));
            }
            catch (Exception e)
            {
                Enqueue(new SnapshotSavedEvent(metadata, e));
            }
        }, CancellationToken.None);
    }

    /// <summary>On the loop: the snapshot is durable, so the core and the log may drop what it covers.</summary>
    private void OnSnapshotSaved(RaftNode node, SnapshotSavedEvent saved)
    {
        _snapshotSave = null;
        if (saved.Failure is { } failure)
        {
            throw new IOException($"Raft node {Id} could not save a snapshot at {saved.Metadata.Index}: {failure.Message}", failure);
        }
        var metadata = saved.Metadata;
        if (metadata.Index <= _snapshotIndex)
        {
            // A snapshot from the leader overtook this one.
            return;
        }
        node.ReportSnapshot(metadata);
        // The log belongs to the persistence stage: compaction queues behind the writes before it.
        EnqueuePersist(new CompactLog(metadata.Index));
        _snapshotIndex = metadata.Index;
        Log.SnapshotTaken(_logger, Id, metadata.Index, metadata.Term);
    }

    /// <summary>A snapshot this node took is durable (or failed to be saved).</summary>
    private sealed class SnapshotSavedEvent(SnapshotMetadata metadata, Exception? failure) : HostEvent
    {
        public SnapshotMetadata Metadata { get; } = metadata;

        public Exception? Failure { get; } = failure;
    }

    /// <summary>Waits for a snapshot being saved, when the node stops.</summary>
    private async Task StopSnapshotSaveAsync()
    {
        if (_snapshotSave is { } save)
        {
            await save;
        }
    }
}
