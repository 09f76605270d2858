using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Messages;
using Dfs.Raft.Consensus.Sessions;
using Dfs.Raft.Consensus.Storage;

namespace Dfs.Raft.Tests.Simulation;

/// <summary>The host loop of each node: boot, ticks, and the sequential host (one Ready at a time, in the order of <see cref="Ready"/>).</summary>
internal sealed partial class Simulation
{
    private void Boot(SimNode node)
    {
        var recovered = node.LogStore.Recover();
        var latest = node.SnapshotStore.Latest;
        // The store must agree with the log the core boots with, or the next append lands on a gap or a stale suffix.
        var reconciled = SnapshotLogReconciliation.ReconcileStore(node.LogStore, latest?.Metadata, recovered.Entries);
        var entries = reconciled.Entries;
        if (reconciled.DiscardedEntries)
        {
            Note($"{node.Id}: log does not continue the snapshot at {latest!.Value.Metadata.Index}: discarded");
        }
        var boot = new RaftBootState(recovered.HardState, latest?.Metadata, entries, _configuration);
        var options = new RaftOptions
        {
            Id = node.Id,
            ElectionTicks = _options.ElectionTicks,
            HeartbeatTicks = 1,
            MaxInflightMessages = _maxInflight,
            MaxBytesPerMessage = _maxBytesPerMessage,
            MaxUncommittedBytes = _maxUncommittedBytes,
        };
        node.Raft = new RaftNode(options, boot, new Random(_random.Next()));
        node.Inner = new KeyAppendStateMachine();
        node.Machine = new SessionStateMachine(node.Inner, _sessionOptions);
        if (latest is { } snapshot)
        {
            using var stream = snapshot.Payload.OpenRead();
            node.Machine.RestoreSnapshot(stream);
        }
        node.LastAppliedIndex = latest?.Metadata.Index ?? 0;
        node.LastAppliedTerm = latest?.Metadata.Term ?? 0;
        node.LastSnapshotIndex = latest?.Metadata.Index ?? 0;
        node.AppliedConfiguration = latest?.Metadata.Configuration ?? _configuration;
        node.Up = true;
        _checker.ObserveStateMachineReset(node.Id, node.LastAppliedIndex, fromReceivedSnapshot: false);
        Note($"{node.Id} boots: term {recovered.HardState.Term}, vote {recovered.HardState.VotedFor ?? "-"}, commit {recovered.HardState.Commit}, " +
            $"snapshot {latest?.Metadata.Index ?? 0}, log {entries.Count} entries ({recovered.Entries.Count} recovered)");
        ScheduleTick(node);
        AfterStep(node);
    }

    private void ScheduleTick(SimNode node)
    {
        var incarnation = node.Incarnation;
        _events.After(node.TickUs, () =>
        {
            if (node.Incarnation != incarnation || !node.Up)
            {
                return;
            }
            OnNode(node, raft => raft.Tick());
            ScheduleTick(node);
        });
    }

    /// <summary>Runs work on a node as its host would: at once, or after the Ready being persisted when the host is sequential.</summary>
    private void OnNode(SimNode node, Action<RaftNode> action)
    {
        if (!node.Up)
        {
            return;
        }
        // A sequential host may step while persisting; a pipelined one blocks only while it installs a snapshot inline.
        if (node.Persisting && (_pipelined || !_stepWhilePersisting))
        {
            node.Inbox.Enqueue(action);
            return;
        }
        action(node.Raft!);
        AfterStep(node);
    }

    private void AfterStep(SimNode node)
    {
        Observe(node);
        if (!node.Persisting)
        {
            HandleReady(node);
        }
    }

    /// <summary>Feeds the checker what the node shows: leadership, and the commit index of a leader.</summary>
    private void Observe(SimNode node)
    {
        var raft = node.Raft!;
        _trace.Mix(node.Index, raft.Term, raft.CommitIndex, (long)raft.Role);
        if (raft.Role != node.LastRole)
        {
            Note($"{node.Id} becomes {raft.Role} in term {raft.Term} (last log {raft.LastLogIndex}@t{raft.LastLogTerm}, commit {raft.CommitIndex})");
            node.LastRole = raft.Role;
        }
        if (raft.Role != RaftRole.Leader)
        {
            return;
        }
        if (_checker.ObserveLeader(node.Id, raft.Term))
        {
            _checker.CheckLeaderCompleteness(node.Id, raft.Term, raft.FirstLogIndex, raft.EntriesFrom(raft.FirstLogIndex, int.MaxValue));
        }
        if (node.ObservedCommitTerm != raft.Term)
        {
            node.ObservedCommitTerm = raft.Term;
            node.ObservedCommitIndex = 0;
        }
        if (raft.CommitIndex > node.ObservedCommitIndex)
        {
            var from = Math.Max(Math.Max(node.ObservedCommitIndex + 1, raft.FirstLogIndex), 1);
            if (from <= raft.CommitIndex)
            {
                _checker.ObserveLeaderCommit(node.Id, raft.Term, raft.EntriesFrom(from, (int)(raft.CommitIndex - from + 1)));
            }
            node.ObservedCommitIndex = raft.CommitIndex;
        }
    }

    /// <summary>Takes the next Ready, as the host of this seed does: pipelined or one at a time.</summary>
    private void HandleReady(SimNode node)
    {
        var raft = node.Raft!;
        if (_pipelined)
        {
            HandleReadyPipelined(node);
            return;
        }
        if (node.Persisting || !raft.HasReady)
        {
            return;
        }
        var ready = raft.GetReady();
        _trace.Mix(-1, ready.Entries.Count, ready.CommittedEntries.Count, ready.Messages.Count + ready.MessagesAfterPersist.Count);
        PersistSequentially(node, ready);
    }

    /// <summary>
    /// Handles one Ready start to end while the host handles nothing else: sends what may go now, writes to
    /// the store, and finishes after the disk latency.
    /// </summary>
    private void PersistSequentially(SimNode node, Ready ready)
    {
        foreach (var message in ready.Messages)
        {
            CheckSentBeforePersist(node, message);
            Send(node, message);
        }
        if (_options.HostFault == HostFault.AcknowledgesBeforePersist)
        {
            foreach (var message in ready.MessagesAfterPersist)
            {
                Send(node, message);
            }
        }

        var writes = false;
        if (ready.Snapshot is { } received)
        {
            try
            {
                node.SnapshotStore.Save(received.Metadata, stream =>
                {
                    using var source = received.Payload.OpenRead();
                    source.CopyTo(stream);
                });
            }
            catch (ArgumentException e)
            {
                _checker.Report(InvariantChecker.HostContract, $"{node.Id}: received snapshot cannot be saved: {e.Message}");
                return;
            }
            if (received.KeepsLog)
            {
                node.LogStore.CompactThrough(received.Metadata.Index);
            }
            else
            {
                node.LogStore.Reset(received.Metadata.Index + 1);
            }
            node.LastSnapshotIndex = received.Metadata.Index;
            writes = true;
        }
        if (ready.Entries.Count > 0)
        {
            node.LogStore.Append(ready.Entries);
            writes = true;
        }
        if (ready.HardState is { } hardState)
        {
            node.LogStore.SetHardState(hardState);
            writes = true;
        }

        node.Persisting = true;
        var incarnation = node.Incarnation;
        var latency = writes ? DiskLatency() : 0;
        if (writes)
        {
            MaybeCrashDuringWrite(node, incarnation, latency);
        }
        _events.After(latency, () =>
        {
            if (node.Incarnation == incarnation && node.Up)
            {
                FinishReady(node, ready, writes);
            }
        });
    }

    /// <summary>
    /// Now and then power fails while a write is in flight (before its fsync returns): whatever was sent or
    /// applied before the fsync must not matter. Used by both host orders.
    /// </summary>
    private void MaybeCrashDuringWrite(SimNode node, int incarnation, long latency)
    {
        if (!_faultsOn || !_options.Crashes || _random.NextDouble() >= _crashWhilePersistingProbability)
        {
            return;
        }
        _events.After(_random.NextInt64(latency + 1), () =>
        {
            if (node.Incarnation == incarnation && node.Up)
            {
                Crash(node);
                if (_random.Next(3) == 0)
                {
                    PowerLoss();
                }
            }
        });
    }

    private long DiskLatency()
    {
        var latency = _minDiskUs + _random.NextInt64(_maxDiskUs - _minDiskUs + 1);
        // A stalled disk now and then: ticks and messages pile up behind the fsync.
        if (_faultsOn && _random.Next(100) == 0)
        {
            latency += _random.NextInt64(20_000, 300_000);
        }
        return latency;
    }

    /// <summary>The fsync returned: send acknowledgements, apply, serve reads, Advance, then take in what waited.</summary>
    private void FinishReady(SimNode node, Ready ready, bool writes)
    {
        var raft = node.Raft!;
        if (writes && _options.HostFault != HostFault.SkipsFsync)
        {
            node.LogStore.Sync();
        }
        if (_options.HostFault != HostFault.AcknowledgesBeforePersist)
        {
            foreach (var message in ready.MessagesAfterPersist)
            {
                Send(node, message);
            }
        }
        if (ready.Snapshot is { } received)
        {
            node.Inner = new KeyAppendStateMachine();
            node.Machine = new SessionStateMachine(node.Inner, _sessionOptions);
            using (var stream = received.Payload.OpenRead())
            {
                node.Machine.RestoreSnapshot(stream);
            }
            _checker.ObserveStateMachineReset(node.Id, received.Metadata.Index, fromReceivedSnapshot: true);
            node.LastAppliedIndex = received.Metadata.Index;
            node.LastAppliedTerm = received.Metadata.Term;
            node.AppliedConfiguration = received.Metadata.Configuration;
            _stats.SnapshotsInstalled++;
            Note($"{node.Id} installs snapshot {received.Metadata.Index}@t{received.Metadata.Term}");
        }
        ApplyAndServe(node, ready);

        raft.Advance(ready);
        node.Persisting = false;
        MaybeTakeSnapshot(node);
        Observe(node);

        while (node.Inbox.Count > 0 && !node.Persisting && node.Up)
        {
            node.Inbox.Dequeue()(raft);
            AfterStep(node);
        }
        if (!node.Persisting)
        {
            HandleReady(node);
        }
    }

    private void ApplyAndServe(SimNode node, Ready ready)
    {
        foreach (var entry in ready.CommittedEntries)
        {
            Apply(node, entry);
        }
        foreach (var readState in ready.ReadStates)
        {
            if (node.PendingReads.Remove(readState.RequestId, out var read))
            {
                node.ConfirmedReads.Add((readState.ReadIndex, read));
            }
        }
        ServeConfirmedReads(node);
    }

    private void Apply(SimNode node, LogEntry entry)
    {
        _checker.ObserveApplied(node.Id, entry);
        node.LastAppliedIndex = entry.Index;
        node.LastAppliedTerm = entry.Term;
        ReadOnlyMemory<byte> result = default;
        if (entry.Kind == EntryKind.Command)
        {
            result = node.Machine!.Apply(entry.Index, entry.Payload.Span);
        }
        else if (entry.Kind == EntryKind.Configuration)
        {
            node.AppliedConfiguration = ClusterConfiguration.Decode(entry.Payload.Span);
            Note($"{node.Id} applies configuration {node.AppliedConfiguration} at {entry.Index}");
        }
        if (node.PendingWrites.Remove(entry.Index, out var pending))
        {
            // The proposal was replaced by another leader's entry when the terms differ: its fate is unknown here.
            var reply = pending.Term == entry.Term && entry.Kind == EntryKind.Command
                ? new ClientReply(pending.OpNo, pending.Attempt, ReplyKind.Ok, null, SessionResult.Decode(result.ToArray()), null)
                : new ClientReply(pending.OpNo, pending.Attempt, ReplyKind.Failed, node.Raft!.LeaderId, null, null);
            SendToClient(pending.Client, reply);
        }
    }

    private void ServeConfirmedReads(SimNode node)
    {
        for (var i = 0; i < node.ConfirmedReads.Count; i++)
        {
            var (readIndex, read) = node.ConfirmedReads[i];
            if (readIndex > node.LastAppliedIndex)
            {
                continue;
            }
            node.ConfirmedReads.RemoveAt(i--);
            SendToClient(read.Client, new ClientReply(read.OpNo, read.Attempt, ReplyKind.Ok, null, null, node.Inner!.Read(read.Key).ToArray()));
        }
    }

    /// <summary>Snapshots the applied state now and then, so logs get compacted and InstallSnapshot is needed.</summary>
    private void MaybeTakeSnapshot(SimNode node)
    {
        if (!_options.Snapshots || node.LastAppliedIndex - node.LastSnapshotIndex < _snapshotEvery)
        {
            return;
        }
        var raft = node.Raft!;
        var metadata = new SnapshotMetadata(node.LastAppliedIndex, node.LastAppliedTerm, node.AppliedConfiguration!);
        ulong digest = 0;
        node.SnapshotStore.Save(metadata, stream =>
        {
            using var buffer = new MemoryStream();
            node.Machine!.WriteSnapshot(buffer);
            digest = Fnv.Hash(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            buffer.Position = 0;
            buffer.CopyTo(stream);
        });
        raft.ReportSnapshot(metadata);
        if (_pipelined)
        {
            // The log belongs to the persistence stage: compaction queues behind the writes before it.
            EnqueuePersist(node, new SimPersistJob(null, metadata.Index));
        }
        else
        {
            node.LogStore.CompactThrough(metadata.Index);
        }
        node.LastSnapshotIndex = metadata.Index;
        _checker.ObserveSnapshot(node.Id, metadata.Index, digest);
        _stats.SnapshotsTaken++;
    }

    /// <summary>Messages in <see cref="Ready.Messages"/> go out before the persist: none may promise durable state.</summary>
    private void CheckSentBeforePersist(SimNode node, RaftMessage message)
    {
        switch (message)
        {
            case RequestVoteResponse { Granted: true, PreVote: false }:
                _checker.Report(InvariantChecker.HostContract, $"{node.Id} grants a vote to {message.To} in Ready.Messages, before persisting it");
                break;
            case AppendEntriesResponse { Success: true } response when response.MatchIndex > node.LogStore.SyncedLastIndex && response.MatchIndex > node.LastSnapshotIndex:
                _checker.Report(InvariantChecker.HostContract,
                    $"{node.Id} acknowledges index {response.MatchIndex} to {message.To} before persisting it (synced up to {node.LogStore.SyncedLastIndex})");
                break;
        }
    }
}
