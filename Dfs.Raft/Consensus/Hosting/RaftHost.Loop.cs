using Dfs.Raft.Consensus.Messages;

namespace Dfs.Raft.Consensus.Hosting;

public sealed partial class RaftHost
{
    // Everything below is touched by the event loop only.
    private readonly Dictionary<long, PendingProposal> _proposals = [];
    private readonly Dictionary<long, PendingRead> _unconfirmedReads = [];
    private readonly List<(long ReadIndex, PendingRead Read)> _confirmedReads = [];
    private readonly Dictionary<string, long> _followerMatch = [];
    private long _nextReadId;
    private long _appliedIndex;
    private long _appliedTerm;
    private ClusterConfiguration _appliedConfiguration = new([]);
    private long _snapshotIndex;
    private RaftRole _lastRole = RaftRole.Follower;
    private string? _lastLeader;
    private long _ticksWithoutLeadership = -1;

    // Followers the core reports as lagging, as of the last tick (status and log transitions).
    private IReadOnlyList<string> _laggingFollowers = [];

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var node = _node!;
        var reader = _events.Reader;
        try
        {
            while (true)
            {
                if (!ReadyToTake(node) && !await reader.WaitToReadAsync(cancellationToken))
                {
                    return;
                }
                // Everything that arrived since the last Ready goes into the next one together.
                for (var handled = 0; handled < _options.MaxEventsPerReady && reader.TryRead(out var hostEvent); handled++)
                {
                    Handle(node, hostEvent);
                }
                if (_snapshotReadyWaiting is { } waiting && StorageIdle)
                {
                    _snapshotReadyWaiting = null;
                    HandleSnapshotReady(node, waiting);
                }
                if (ReadyToTake(node))
                {
                    HandleReady(node, node.GetReady());
                }
                PublishStatus();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // Storage or the state machine failed: the node cannot keep its promises, so it stops taking part.
            Log.Faulted(_logger, Id, e);
            _events.Writer.TryComplete();
            FailEverything(stopping: false);
        }
    }

    private void Handle(RaftNode node, HostEvent hostEvent)
    {
        switch (hostEvent)
        {
            case MessageEvent { Message: var message }:
                if (message is AppendEntriesResponse { Success: true } response)
                {
                    _followerMatch[response.From] = Math.Max(_followerMatch.GetValueOrDefault(response.From), response.MatchIndex);
                }
                node.Step(message);
                break;
            case UnreachableEvent { Peer: var peer }:
                node.ReportUnreachable(peer);
                break;
            case PeerClosedEvent { Peer: var peer }:
                if (node.Role == RaftRole.Follower && node.LeaderId == peer)
                {
                    Log.LeaderConnectionClosed(_logger, Id, peer, node.Term);
                }
                node.ReportPeerClosedConnection(peer);
                break;
            case TickEvent:
                Volatile.Write(ref _tickQueued, 0);
                node.Tick();
                OnTick(node);
                break;
            case ProposeEvent propose:
                Propose(node, propose);
                break;
            case ReadEvent { Read: var read }:
                if (read.IsCompleted)
                {
                    break;
                }
                var id = ++_nextReadId;
                if (node.RequestRead(id))
                {
                    _unconfirmedReads[id] = read;
                }
                else
                {
                    read.Fail(new NotLeaderException(Id, node.LeaderId));
                }
                break;
            case ControlEvent control:
                control.Execute(node);
                break;
            case PersistedEvent persisted:
                OnPersisted(node, persisted);
                break;
            case SnapshotSavedEvent saved:
                OnSnapshotSaved(node, saved);
                break;
        }
    }

    /// <summary>A new Ready is taken only while no snapshot from the leader waits for the persistence stage to go idle.</summary>
    private bool ReadyToTake(RaftNode node) => _snapshotReadyWaiting is null && node.HasReady;

    private void Propose(RaftNode node, ProposeEvent propose)
    {
        var proposal = propose.Proposal;
        if (proposal.IsCompleted)
        {
            return;
        }
        var result = propose.Change is { } change ? node.ProposeConfigurationChange(change) : node.Propose(propose.Command);
        if (result.Accepted)
        {
            proposal.Term = result.Term;
            _proposals[result.Index] = proposal;
            return;
        }
        proposal.Fail(result.Rejection switch
        {
            ProposeRejection.NotLeader => new NotLeaderException(Id, result.LeaderHint),
            ProposeRejection.TransferInProgress => new NotLeaderException(Id, null, "It is handing leadership over; retry at the next leader."),
            ProposeRejection.TooManyUncommitted => new ProposalRejectedException(result.Rejection,
                $"Node {Id} has too many uncommitted proposals ({_options.MaxUncommittedBytes} bytes); retry after a short wait."),
            ProposeRejection.ConfigurationChangePending => new ProposalRejectedException(result.Rejection,
                "Another membership change is not committed yet, or the leader has not committed an entry of its term yet; retry shortly."),
            ProposeRejection.LearnerNotCaughtUp => new ProposalRejectedException(result.Rejection,
                $"Learner {propose.Change?.NodeId} has not caught up with the leader's log yet."),
            _ => new ProposalRejectedException(result.Rejection,
                $"The membership change {propose.Change} does not apply to the configuration in force ({node.Configuration})."),
        });
    }

    private void OnTick(RaftNode node)
    {
        ReportLaggingFollowers(node);
        if (_ticksWithoutLeadership < 0 || node.Role == RaftRole.Leader)
        {
            return;
        }
        // Proposals this node accepted as leader are settled by applying their index; if that does not
        // happen soon after leadership was lost, nobody can say here whether they will ever commit.
        if (++_ticksWithoutLeadership > 2L * _options.ElectionTicks)
        {
            _ticksWithoutLeadership = -1;
            FailProposals(long.MaxValue, "leadership was lost before the entry was known to be committed.");
        }
    }

    /// <summary>
    /// Handles a Ready without waiting for the disk: sends what may go before persistence, applies committed
    /// entries, and queues the rest for the persistence stage, which finishes it in <see cref="OnPersisted"/>.
    /// </summary>
    private void HandleReady(RaftNode node, Ready ready)
    {
        if (ready.Snapshot is not null)
        {
            // Installing a snapshot replaces the state machine and the log: it waits until nothing else touches them.
            if (!StorageIdle)
            {
                _snapshotReadyWaiting = ready;
                return;
            }
            HandleSnapshotReady(node, ready);
            return;
        }
        if (ready.SoftState is { } soft)
        {
            OnSoftState(soft);
        }
        foreach (var message in ready.Messages)
        {
            Send(message);
        }
        // Committed entries are on a quorum's disks already; applying them need not wait for this node's fsync.
        ApplyAndServe(node, ready);
        if (_persistJobsInFlight > 0 || ready.Entries.Count > 0 || ready.HardState is not null || ready.MessagesAfterPersist.Count > 0)
        {
            // Acknowledgements promise that everything before them is durable, so they queue behind earlier Readys.
            EnqueuePersist(new PersistReady(ready));
        }
        else
        {
            node.Advance(ready);
        }
        MaybeTakeSnapshot(node);
    }

    /// <summary>A Ready with a snapshot from the leader, handled start to end on the loop while the persistence stage is idle.</summary>
    private void HandleSnapshotReady(RaftNode node, Ready ready)
    {
        if (ready.SoftState is { } soft)
        {
            OnSoftState(soft);
        }
        foreach (var message in ready.Messages)
        {
            Send(message);
        }
        var persistStart = System.Diagnostics.Stopwatch.GetTimestamp();
        InstallReceivedSnapshot(ready.Snapshot!);
        if (ready.Entries.Count > 0)
        {
            _logStore.Append(ready.Entries);
        }
        if (ready.HardState is { } hardState)
        {
            _logStore.SetHardState(hardState);
        }
        _logStore.Sync();
        _metrics.Persisted(ready.Entries.Count, persistStart);
        foreach (var message in ready.MessagesAfterPersist)
        {
            Send(message);
        }
        ApplyAndServe(node, ready);
        node.Advance(ready);
        MaybeTakeSnapshot(node);
    }

    private void ApplyAndServe(RaftNode node, Ready ready)
    {
        Apply(node, ready.CommittedEntries);
        _metrics.EntriesApplied(ready.CommittedEntries.Count);
        foreach (var readState in ready.ReadStates)
        {
            if (_unconfirmedReads.Remove(readState.RequestId, out var read))
            {
                _confirmedReads.Add((readState.ReadIndex, read));
            }
        }
        ServeReads();
    }

    private void OnSoftState(SoftState soft)
    {
        if (soft.Role != _lastRole || soft.LeaderId != _lastLeader)
        {
            Log.RoleChanged(_logger, Id, soft.Role, soft.Term, soft.LeaderId);
        }
        if (_lastRole == RaftRole.Leader && soft.Role != RaftRole.Leader)
        {
            _ticksWithoutLeadership = 0;
            foreach (var read in _unconfirmedReads.Values)
            {
                read.Fail(new NotLeaderException(Id, soft.LeaderId, "It lost leadership before the read was confirmed."));
            }
            _unconfirmedReads.Clear();
        }
        if (soft.Role == RaftRole.Leader && _lastRole != RaftRole.Leader)
        {
            _ticksWithoutLeadership = -1;
            _followerMatch.Clear();
        }
        var leaderChanged = soft.LeaderId != _lastLeader;
        _lastRole = soft.Role;
        _lastLeader = soft.LeaderId;
        if (leaderChanged)
        {
            try
            {
                LeaderChanged?.Invoke(this, new LeaderChangedEventArgs(soft.LeaderId, soft.Term));
            }
            catch (Exception e)
            {
                Log.HandlerFailed(_logger, Id, e);
            }
        }
    }

    private void Send(RaftMessage message)
    {
        if (message is InstallSnapshot { Payload: null } install)
        {
            var latest = _snapshotStore.Latest;
            if (latest is not { } stored || stored.Metadata.Index != install.Metadata.Index)
            {
                Log.SnapshotMissing(_logger, Id, install.Metadata.Index, install.To, latest?.Metadata.Index ?? 0);
                return;
            }
            message = install with { Payload = stored.Payload };
        }
        _transport.Send(message);
    }

    private void Apply(RaftNode node, IReadOnlyList<LogEntry> entries)
    {
        foreach (var entry in entries)
        {
            if (entry.Index <= _appliedIndex)
            {
                continue;
            }
            ReadOnlyMemory<byte> result = default;
            switch (entry.Kind)
            {
                case EntryKind.Command:
                    result = _stateMachine.Apply(entry.Index, entry.Payload.Span);
                    break;
                case EntryKind.Configuration:
                    _appliedConfiguration = ClusterConfiguration.Decode(entry.Payload.Span);
                    break;
            }
            _appliedIndex = entry.Index;
            _appliedTerm = entry.Term;
            if (_proposals.Remove(entry.Index, out var proposal))
            {
                if (proposal.Term == entry.Term)
                {
                    proposal.Complete(result);
                    _metrics.ProposalCommitted();
                }
                else
                {
                    // Log matching: another entry holds this index in the committed log, so ours never commits.
                    proposal.Fail(new NotLeaderException(Id, node.LeaderId,
                        $"Its proposal at index {entry.Index} was replaced by an entry of term {entry.Term} and was not applied."));
                }
            }
        }
    }

    private void ServeReads()
    {
        if (_confirmedReads.Count == 0)
        {
            return;
        }
        var served = 0;
        foreach (var (readIndex, read) in _confirmedReads)
        {
            if (readIndex > _appliedIndex)
            {
                continue;
            }
            read.Execute();
            served++;
        }
        if (served > 0)
        {
            _confirmedReads.RemoveAll(r => r.ReadIndex <= _appliedIndex);
        }
    }

    private string? BestTransferTarget(RaftNode node) =>
        node.Configuration.Voters
            .Where(id => id != Id)
            .OrderByDescending(id => _followerMatch.GetValueOrDefault(id))
            .FirstOrDefault();

    private void FailProposals(long throughIndex, string reason)
    {
        foreach (var index in _proposals.Keys.Where(i => i <= throughIndex).ToArray())
        {
            _proposals.Remove(index, out var proposal);
            proposal!.Fail(new ProposalOutcomeUnknownException(index, reason));
        }
    }

    /// <summary>Fails everything waiting; runs on the loop's side once it has ended.</summary>
    private void FailEverything(bool stopping)
    {
        var reason = stopping ? "the node stopped." : "the node failed and stopped.";
        FailProposals(long.MaxValue, reason);
        var notLeader = new NotLeaderException(Id, null, "It stopped before the read was served.");
        foreach (var read in _unconfirmedReads.Values)
        {
            read.Fail(notLeader);
        }
        _unconfirmedReads.Clear();
        foreach (var (_, read) in _confirmedReads)
        {
            read.Fail(notLeader);
        }
        _confirmedReads.Clear();
        var stopped = new ObjectDisposedException(nameof(RaftHost), $"Raft host {Id} is stopped.");
        while (_events.Reader.TryRead(out var hostEvent))
        {
            hostEvent.Fail(stopped);
        }
    }

    /// <summary>Logs followers as they start and stop lagging, and keeps the list the status reports.</summary>
    private void ReportLaggingFollowers(RaftNode node)
    {
        var lagging = node.LaggingFollowers();
        if (lagging.Count == 0 && _laggingFollowers.Count == 0)
        {
            return;
        }
        foreach (var follower in lagging)
        {
            if (!_laggingFollowers.Contains(follower.Id))
            {
                Log.FollowerLagging(_logger, Id, follower.Id, follower.Target, (long)(follower.TicksBehind * _options.TickInterval.TotalMilliseconds),
                    follower.Match, follower.Next, follower.State);
            }
        }
        foreach (var id in _laggingFollowers)
        {
            if (!lagging.Any(f => f.Id == id))
            {
                Log.FollowerCaughtUp(_logger, Id, id);
            }
        }
        var ids = lagging.Select(f => f.Id).ToArray();
        if (!ids.SequenceEqual(_laggingFollowers))
        {
            // A new list only when it changes: the status is republished when it differs.
            _laggingFollowers = ids;
        }
    }

    private void PublishStatus()
    {
        var node = _node!;
        var status = new RaftStatus(Id, node.Role, node.Term, node.LeaderId, node.CommitIndex, _appliedIndex, node.LastLogIndex,
            _snapshotIndex, node.Configuration)
        {
            LaggingFollowers = _laggingFollowers,
        };
        if (status == _status)
        {
            return;
        }
        _status = status;
        lock (_statusWaiters)
        {
            foreach (var waiter in _statusWaiters)
            {
                if (waiter.Condition(status))
                {
                    waiter.Completion.TrySetResult();
                }
            }
        }
    }
}
