using Dfs.Raft.Consensus.Messages;

namespace Dfs.Raft.Consensus;

public sealed partial class RaftNode
{
    // Leader: the log grew or a follower can take more since the last flush.
    private bool _replicationPending;

    // Leader: the commit index moved since the last flush; followers with nothing new get a heartbeat.
    private bool _commitChanged;

    // Leader: bytes of entries of its term appended but not yet committed.
    private long _uncommittedBytes;

    private string? _leadTransferee;
    private int _transferElapsed;
    private bool _timeoutNowSent;

    /// <summary>Proposes a client command; on the leader it is appended and replicated with the next Ready.</summary>
    public ProposeResult Propose(ReadOnlyMemory<byte> command)
    {
        if (_role != RaftRole.Leader)
        {
            return ProposeResult.Refused(ProposeRejection.NotLeader, _leaderId);
        }
        if (_leadTransferee is not null)
        {
            return ProposeResult.Refused(ProposeRejection.TransferInProgress, _leaderId);
        }
        var size = command.Length + 24;
        if (_uncommittedBytes > 0 && _uncommittedBytes + size > _options.MaxUncommittedBytes)
        {
            return ProposeResult.Refused(ProposeRejection.TooManyUncommitted, _leaderId);
        }
        // The host may reuse its buffer once Propose returns.
        var entry = new LogEntry(_term, _log.LastIndex + 1, EntryKind.Command, command.ToArray());
        AppendToLog(entry);
        _uncommittedBytes += entry.Size;
        _replicationPending = true;
        return ProposeResult.Ok(entry.Index, entry.Term);
    }

    /// <summary>Hands leadership to <paramref name="targetId"/>: proposals stop, the target catches up, then gets TimeoutNow.</summary>
    /// <returns>False unless this node leads and the target is another voter.</returns>
    public bool TransferLeadership(string targetId)
    {
        if (_role != RaftRole.Leader || targetId == Id || !_configuration.IsVoter(targetId) ||
            !_progress.TryGetValue(targetId, out var progress))
        {
            return false;
        }
        if (_leadTransferee == targetId)
        {
            return true;
        }
        _leadTransferee = targetId;
        _transferElapsed = 0;
        _timeoutNowSent = false;
        if (progress.Match == _log.LastIndex)
        {
            SendTimeoutNow();
        }
        else
        {
            _replicationPending = true;
        }
        return true;
    }

    private void SendTimeoutNow()
    {
        if (_leadTransferee is null || _timeoutNowSent)
        {
            return;
        }
        _timeoutNowSent = true;
        _messages.Add(new TimeoutNow(Id, _leadTransferee, _term));
    }

    /// <summary>The leader could not reach <paramref name="peerId"/>: go back to probing it.</summary>
    public void ReportUnreachable(string peerId)
    {
        if (_role != RaftRole.Leader || !_progress.TryGetValue(peerId, out var progress))
        {
            return;
        }
        if (progress.State != ProgressState.Probe)
        {
            progress.BecomeProbe(progress.Match + 1);
            _replicationPending = true;
        }
    }

    private void TickLeader()
    {
        _heartbeatElapsed++;
        _electionElapsed++;

        if (_leadTransferee is not null && ++_transferElapsed >= _options.ElectionTicks)
        {
            // The target did not take over within an election timeout: accept proposals again.
            _leadTransferee = null;
        }

        foreach (var progress in _progress.Values)
        {
            TickProgress(progress);
        }

        if (_electionElapsed >= _options.ElectionTicks)
        {
            _electionElapsed = 0;
            if (_options.CheckQuorum && !QuorumRecentlyActive())
            {
                // Cut off from a quorum: stop serving as leader so clients look elsewhere (thesis §6.2).
                BecomeFollower(_term, null);
                return;
            }
            foreach (var progress in _progress.Values)
            {
                progress.RecentActive = false;
            }
        }

        if (_heartbeatElapsed >= _options.HeartbeatTicks)
        {
            _heartbeatElapsed = 0;
            foreach (var (peer, progress) in _progress)
            {
                SendHeartbeat(peer, progress);
            }
        }
    }

    private void TickProgress(FollowerProgress progress)
    {
        progress.TrackCatchUp(_commit);
        switch (progress.State)
        {
            case ProgressState.Replicate when progress.Next - 1 > progress.Match:
                // A lost message would otherwise stall the pipeline forever: restart from the last match.
                if (++progress.StalledTicks >= _options.ElectionTicks)
                {
                    progress.BecomeProbe(progress.Match + 1);
                    _replicationPending = true;
                }
                break;
            case ProgressState.Snapshot:
                // No answer to the snapshot for a long while (and no unreachable report): offer it again.
                if (++progress.StalledTicks >= 4 * _options.ElectionTicks)
                {
                    progress.BecomeProbe(progress.Match + 1);
                    _replicationPending = true;
                }
                break;
        }
    }

    private bool QuorumRecentlyActive()
    {
        var active = 0;
        foreach (var voter in _configuration.Voters)
        {
            if (voter == Id || (_progress.TryGetValue(voter, out var progress) && progress.RecentActive))
            {
                active++;
            }
        }
        return active >= _configuration.Quorum;
    }

    /// <summary>
    /// Sends what a follower can take: in replicate state, batches up to the in-flight limit; in probe
    /// state, one message. Returns whether anything was sent.
    /// </summary>
    private bool SendAppends(string peer, FollowerProgress progress)
    {
        var sent = false;
        if (progress.State == ProgressState.Probe && !progress.ProbeSent && progress.Next > _log.LastIndex &&
            progress.Match < _log.LastIndex)
        {
            // Nothing new to carry, but the follower's position is unknown: probe with an empty message.
            SendEmptyAppendAtNext(peer, progress);
            progress.ProbeSent = true;
            return true;
        }
        while (!progress.IsPaused && progress.Next <= _log.LastIndex)
        {
            var prevIndex = progress.Next - 1;
            var prevTerm = _log.TryTerm(prevIndex);
            if (prevTerm is null)
            {
                return SendSnapshot(peer, progress) || sent;
            }
            var entries = _log.Slice(progress.Next, _log.LastIndex, _options.MaxBytesPerMessage);
            _messages.Add(new AppendEntries(Id, peer, _term, prevIndex, prevTerm.Value, entries, _commit, _readContext));
            progress.SentEntries(entries[^1].Index);
            sent = true;
        }
        return sent;
    }

    /// <summary>
    /// An empty AppendEntries at the follower's known match: it carries the commit index and read context and
    /// runs the same consistency check as any AppendEntries.
    /// </summary>
    private void SendHeartbeat(string peer, FollowerProgress progress)
    {
        var prevIndex = progress.Match;
        var prevTerm = _log.TryTerm(prevIndex);
        if (prevTerm is null)
        {
            // The match is compacted away: index 0 is below every follower's commit, so the check passes.
            prevIndex = 0;
            prevTerm = 0;
        }
        _messages.Add(new AppendEntries(Id, peer, _term, prevIndex, prevTerm.Value, [], _commit, _readContext));
    }

    private void SendEmptyAppendAtNext(string peer, FollowerProgress progress)
    {
        var prevIndex = progress.Next - 1;
        if (prevIndex <= progress.Match)
        {
            return;
        }
        var prevTerm = _log.TryTerm(prevIndex);
        if (prevTerm is null)
        {
            SendSnapshot(peer, progress);
            return;
        }
        _messages.Add(new AppendEntries(Id, peer, _term, prevIndex, prevTerm.Value, [], _commit, _readContext));
    }

    /// <summary>Leader: sends everything pending since the last flush (batching all proposals into as few messages as the limits allow).</summary>
    private void FlushLeader()
    {
        if (_role != RaftRole.Leader)
        {
            return;
        }
        AssignReadBatch();
        if (_replicationPending || _commitChanged || _readRoundPending)
        {
            var heartbeatOthers = _commitChanged || _readRoundPending;
            foreach (var (peer, progress) in _progress)
            {
                var sent = _replicationPending && SendAppends(peer, progress);
                if (!sent && heartbeatOthers)
                {
                    SendHeartbeat(peer, progress);
                }
            }
            _replicationPending = false;
            _commitChanged = false;
            _readRoundPending = false;
        }
        if (_stepDownPending)
        {
            // This leader's removal is committed and announced: it leaves the group's management.
            _stepDownPending = false;
            BecomeFollower(_term, null);
        }
    }

    private void HandleAppendEntries(AppendEntries append)
    {
        if (_role == RaftRole.Leader || !IsWellFormed(append))
        {
            // Two leaders in one term cannot exist, and entries must follow PrevLogIndex one by one.
            return;
        }
        if (_role != RaftRole.Follower || _leaderId != append.From)
        {
            BecomeFollower(_term, append.From);
        }
        _electionElapsed = 0;
        _preVoteRefusedInLease = null;

        // Entries up to the commit index match the leader's (Leader Completeness), so the check only
        // concerns a previous index above it.
        if (append.PrevLogIndex > _commit)
        {
            if (append.PrevLogIndex > _log.LastIndex)
            {
                Reject(append, _log.LastIndex, _log.LastTerm);
                return;
            }
            if (_log.TryTerm(append.PrevLogIndex) != append.PrevLogTerm)
            {
                var (hintIndex, hintTerm) = _log.FindConflictByTerm(append.PrevLogIndex, append.PrevLogTerm);
                Reject(append, hintIndex, hintTerm ?? 0);
                return;
            }
        }

        foreach (var entry in append.Entries)
        {
            if (entry.Index <= _log.SnapshotIndex)
            {
                continue;
            }
            if (entry.Index <= _log.LastIndex)
            {
                if (_log.TryTerm(entry.Index) == entry.Term)
                {
                    // Already held: a duplicate or reordered message must never truncate.
                    continue;
                }
                TruncateLog(entry.Index);
            }
            AppendToLog(entry);
        }

        var lastNewIndex = append.PrevLogIndex + append.Entries.Count;
        var newCommit = Math.Min(append.LeaderCommit, lastNewIndex);
        if (newCommit > _commit)
        {
            _commit = newCommit;
        }
        // The acknowledgement promises the entries are durable: it leaves after this Ready is persisted.
        _messagesAfterPersist.Add(new AppendEntriesResponse(Id, append.From, _term, true, lastNewIndex, 0, 0, 0,
            append.ReadContext));
    }

    private static bool IsWellFormed(AppendEntries append)
    {
        for (var i = 0; i < append.Entries.Count; i++)
        {
            if (append.Entries[i].Index != append.PrevLogIndex + 1 + i)
            {
                return false;
            }
        }
        return append.PrevLogIndex >= 0;
    }

    private void Reject(AppendEntries append, long hintIndex, long hintTerm) =>
        _messagesAfterPersist.Add(new AppendEntriesResponse(Id, append.From, _term, false, 0, append.PrevLogIndex,
            hintIndex, hintTerm, append.ReadContext));

    private void HandleAppendEntriesResponse(AppendEntriesResponse response)
    {
        if (_role != RaftRole.Leader || !_progress.TryGetValue(response.From, out var progress))
        {
            return;
        }
        progress.RecentActive = true;
        if (response.ReadContext > progress.AckedReadContext)
        {
            progress.AckedReadContext = response.ReadContext;
            ReleaseReads();
        }

        if (response.Success)
        {
            if (response.MatchIndex > progress.Match)
            {
                progress.Match = response.MatchIndex;
                progress.StalledTicks = 0;
                progress.FreeThrough(response.MatchIndex);
                switch (progress.State)
                {
                    case ProgressState.Probe:
                        progress.BecomeReplicate();
                        break;
                    case ProgressState.Snapshot when progress.Match >= progress.PendingSnapshotIndex:
                        progress.BecomeProbe(progress.Match + 1);
                        break;
                    case ProgressState.Replicate when progress.Next <= progress.Match:
                        progress.Next = progress.Match + 1;
                        break;
                }
                MaybeCommit();
                _replicationPending = true;
            }
            else
            {
                // A heartbeat's (or a duplicate's) acknowledgement: the follower is alive. Let a stuck
                // probe go again, and give a full pipeline room (as etcd does).
                if (response.From == _leadTransferee)
                {
                    // Still answering in this term: the TimeoutNow was lost (a late copy is harmless, its
                    // term being stale once the target campaigns).
                    _timeoutNowSent = false;
                }
                if (progress.State == ProgressState.Probe && progress.ProbeSent)
                {
                    progress.ProbeSent = false;
                    _replicationPending = true;
                }
                else if (progress.State == ProgressState.Replicate && progress.Match < _log.LastIndex)
                {
                    if (progress.IsPaused)
                    {
                        progress.FreeFirst();
                        _replicationPending = true;
                    }
                    if (progress.StalledTicks > _options.HeartbeatTicks)
                    {
                        // Alive but not acknowledging what was sent: ask whether it arrived. An empty
                        // AppendEntries at the optimistic position succeeds if it did, and is rejected
                        // (sending the follower back to probing) if it was lost.
                        SendEmptyAppendAtNext(response.From, progress);
                    }
                }
            }
            if (response.From == _leadTransferee && progress.Match == _log.LastIndex)
            {
                SendTimeoutNow();
            }
            return;
        }

        // A rejection. Ignore it if it answers a message older than the current probe, or denies an index at or
        // below the known match: that is a late answer or a follower that lost what it acknowledged, and a probe
        // cannot go below the match anyway. Probing again at once would ping-pong at network speed, one more
        // chain with every rejected heartbeat; the next heartbeat asks again, and its acknowledgement frees the probe.
        var stale = response.RejectedIndex <= progress.Match || progress.State switch
        {
            ProgressState.Replicate => false,
            ProgressState.Probe => response.RejectedIndex != progress.Next - 1,
            _ => true,
        };
        if (stale)
        {
            return;
        }
        // Fast backtracking: skip the follower's whole conflicting term in one step.
        var conflict = response.HintIndex;
        if (response.HintTerm > 0)
        {
            conflict = _log.FindConflictByTerm(response.HintIndex, response.HintTerm).Index;
        }
        progress.BecomeProbe(Math.Min(response.RejectedIndex, conflict + 1));
        _replicationPending = true;
    }

    /// <summary>Advances the commit index to the highest index a quorum holds durably, if that entry is of the current term.</summary>
    private void MaybeCommit()
    {
        if (_role != RaftRole.Leader)
        {
            return;
        }
        var voters = _configuration.Voters;
        var matches = new long[voters.Count];
        for (var i = 0; i < voters.Count; i++)
        {
            // The leader's own log counts only once it is durable (thesis §10.2.1).
            matches[i] = voters[i] == Id
                ? _persistedIndex
                : _progress.TryGetValue(voters[i], out var progress) ? progress.Match : 0;
        }
        Array.Sort(matches);
        var candidate = matches[voters.Count - _configuration.Quorum];
        // Figure 8: only an entry of the current term is committed by counting replicas.
        if (candidate <= _commit || _log.TryTerm(candidate) != _term)
        {
            return;
        }
        var previous = _commit;
        _commit = candidate;
        _commitChanged = true;
        OnCommitAdvanced(previous);
    }

    private void OnCommitAdvanced(long previousCommit)
    {
        for (var i = Math.Max(previousCommit + 1, _log.FirstIndex); i <= _commit; i++)
        {
            var entry = _log.Get(i);
            if (entry.Term == _term)
            {
                _uncommittedBytes = Math.Max(0, _uncommittedBytes - entry.Size);
            }
        }
        if (_configurationIndex <= _commit && !_configuration.IsVoter(Id))
        {
            _stepDownPending = true;
        }
    }
}
