using Dfs.Raft.Consensus.Messages;

namespace Dfs.Raft.Consensus;

public sealed partial class RaftNode
{
    private void TickElection()
    {
        _electionElapsed++;
        if (_electionElapsed < _randomizedElectionTimeout)
        {
            return;
        }
        if (!IsPromotable)
        {
            // A learner or a removed node never campaigns. It does forget a leader it has not heard from for an
            // election timeout, or its leader lease would refuse every vote from then on: a learner promoted
            // while it was cut off does not know it is a voter, and the new election may need its vote.
            _electionElapsed = 0;
            _leaderId = null;
            return;
        }
        Campaign(preVote: _options.PreVote, transfer: false);
    }

    /// <summary>
    /// The transport saw <paramref name="peerId"/> close the connection this node sends to it on: an end of stream or a
    /// reset, which the peer's kernel sends the moment its process dies. If that peer is this follower's leader, the
    /// follower stops counting on it instead of waiting out the election timeout: it forgets the leader (so its lease
    /// no longer refuses other followers' pre-votes) and campaigns after a stagger by rank, the lowest-ranked at once.
    /// </summary>
    /// <remarks>
    /// Safety does not depend on this: any node may campaign at any time, and reads are confirmed by a quorum round,
    /// never by a lease. What keeps it from disrupting a live leader is the pre-vote (it only runs with
    /// <see cref="RaftOptions.PreVote"/>): a pre-vote changes no term and wins only if a quorum also stopped hearing
    /// from the leader, which a live leader's other followers, still in their lease, refuse; its next heartbeat then
    /// makes this node a follower again. The stagger (rank × a quarter of the minimum election timeout, ranks by id
    /// among the voters but the lost leader) keeps the survivors from splitting the vote: the first campaigns alone,
    /// and the next only if the first could not win (its log was behind, or its pre-vote reached a voter that had not
    /// yet seen the connection close and ignored it).
    /// </remarks>
    public void ReportPeerClosedConnection(string peerId)
    {
        ArgumentNullException.ThrowIfNull(peerId);
        if (_role != RaftRole.Follower || _leaderId != peerId || !_options.PreVote || !IsPromotable)
        {
            return;
        }
        _leaderId = null;
        _lostLeader = peerId;
        _electionElapsed = 0;
        _randomizedElectionTimeout = LeaderLossStagger(peerId);
        if (_randomizedElectionTimeout == 0)
        {
            Campaign(preVote: true, transfer: false);
        }
        // A survivor that heard first asked while the lease still refused it: answered now (as a message the network
        // held back), after this node's own request, so a better-ranked survivor hears that request before this grant.
        if (_preVoteRefusedInLease is { } waiting && waiting.Term == _term + 1 && waiting.From != peerId)
        {
            _preVoteRefusedInLease = null;
            HandleRequestVote(waiting);
        }
    }

    // The latest pre-vote the leader lease refused since the leader was last heard from (leader loss answers it).
    private RequestVote? _preVoteRefusedInLease;

    /// <summary>Ticks this node waits before campaigning after its leader's connection closed: its rank × the stagger step.</summary>
    private int LeaderLossStagger(string lostLeader)
    {
        var rank = 0;
        foreach (var voter in _configuration.Voters)
        {
            if (voter != lostLeader && voter != Id && string.CompareOrdinal(voter, Id) < 0)
            {
                rank++;
            }
        }
        return rank * LeaderLossStaggerStep;
    }

    /// <summary>A quarter of the minimum election timeout (at least a tick): room for one pre-vote and vote round trip.</summary>
    internal int LeaderLossStaggerStep => Math.Max(1, _options.ElectionTicks / 4);

    // The leader whose connection closed, while no leader is known since: the survivors' ranks are counted without it.
    private string? _lostLeader;

    /// <summary>
    /// After its leader's connection closed, this node grants a pre-vote to a survivor ranked before it (a lower id): it then
    /// leaves the field to it, waiting a full randomized election timeout, instead of going on to a real election in the same
    /// term and splitting the vote. The stagger alone does not prevent that when the first-ranked hears of the closed
    /// connection later than this node (a loaded machine). The first-ranked sends its own pre-vote before it grants this
    /// node's (it campaigns the moment it hears), and one link delivers in order, so this node steps back before it could
    /// count that grant. Nothing durable changes: a pre-candidate has not moved to a new term or voted.
    /// </summary>
    private void YieldToBetterRankedSurvivor(RequestVote request)
    {
        if (_lostLeader is not { } lost || request.From == lost || string.CompareOrdinal(request.From, Id) >= 0
            || request.Term != _term + 1 || _role is not (RaftRole.PreCandidate or RaftRole.Follower))
        {
            return;
        }
        BecomeFollower(_term, null);
        _electionElapsed = 0;
    }

    /// <summary>Starts a pre-vote round, or a real election (term + 1, vote for self).</summary>
    private void Campaign(bool preVote, bool transfer)
    {
        _votes.Clear();
        _leaderId = null;
        _electionElapsed = 0;
        ResetRandomizedElectionTimeout();
        _votes[Id] = true;

        if (preVote)
        {
            _role = RaftRole.PreCandidate;
            if (CountVotes() == VoteResult.Won)
            {
                Campaign(preVote: false, transfer: false);
                return;
            }
            foreach (var voter in _configuration.Voters)
            {
                if (voter != Id)
                {
                    // A pre-vote promises nothing about local state: it may leave before any persist.
                    _messages.Add(new RequestVote(Id, voter, _term + 1, _log.LastIndex, _log.LastTerm, PreVote: true,
                        LeadershipTransfer: false));
                }
            }
            return;
        }

        _role = RaftRole.Candidate;
        _term++;
        _votedFor = Id;
        if (CountVotes() == VoteResult.Won)
        {
            BecomeLeader();
            return;
        }
        foreach (var voter in _configuration.Voters)
        {
            if (voter != Id)
            {
                // After persist: the candidate's own vote must be durable before it can win with it.
                _messagesAfterPersist.Add(new RequestVote(Id, voter, _term, _log.LastIndex, _log.LastTerm, PreVote: false,
                    LeadershipTransfer: transfer));
            }
        }
    }

    private void HandleRequestVote(RequestVote request)
    {
        // Here request.Term >= _term; a real vote's higher term was already adopted.
        var canVote = request.PreVote
            ? request.Term > _term || (_votedFor == request.From) || (_votedFor is null && _leaderId is null)
            : _votedFor == request.From || (_votedFor is null && _leaderId is null);
        var granted = canVote && _log.IsUpToDate(request.LastLogIndex, request.LastLogTerm);

        if (request.PreVote)
        {
            if (granted)
            {
                YieldToBetterRankedSurvivor(request);
            }
            _messages.Add(new RequestVoteResponse(Id, request.From, granted ? request.Term : _term, PreVote: true, granted));
            return;
        }
        if (granted)
        {
            _votedFor = request.From;
            _electionElapsed = 0;
        }
        // Votes leave only after the vote (and term) are durable.
        _messagesAfterPersist.Add(new RequestVoteResponse(Id, request.From, _term, PreVote: false, granted));
    }

    private void HandleRequestVoteResponse(RequestVoteResponse response)
    {
        var counts = _role switch
        {
            RaftRole.PreCandidate => response.PreVote && (response.Term == _term + 1 || (response.Term == _term && !response.Granted)),
            RaftRole.Candidate => !response.PreVote && response.Term == _term,
            _ => false,
        };
        if (!counts || !_configuration.IsVoter(response.From))
        {
            return;
        }
        _votes.TryAdd(response.From, response.Granted);
        switch (CountVotes())
        {
            case VoteResult.Won when _role == RaftRole.PreCandidate:
                Campaign(preVote: false, transfer: false);
                break;
            case VoteResult.Won:
                BecomeLeader();
                break;
            case VoteResult.Lost:
                BecomeFollower(_term, null);
                break;
        }
    }

    private VoteResult CountVotes()
    {
        int granted = 0, rejected = 0;
        foreach (var voter in _configuration.Voters)
        {
            if (_votes.TryGetValue(voter, out var vote))
            {
                if (vote)
                {
                    granted++;
                }
                else
                {
                    rejected++;
                }
            }
        }
        var quorum = _configuration.Quorum;
        if (granted >= quorum)
        {
            return VoteResult.Won;
        }
        return _configuration.Voters.Count - rejected < quorum ? VoteResult.Lost : VoteResult.Pending;
    }

    private void HandleTimeoutNow(TimeoutNow message)
    {
        if (_role == RaftRole.Leader || !IsPromotable)
        {
            return;
        }
        // The leader brought us up to date and asks us to take over: campaign at once, without pre-vote,
        // and ask voters to ignore their leader lease (thesis §3.10).
        Campaign(preVote: false, transfer: true);
    }

    private void BecomeLeader()
    {
        _role = RaftRole.Leader;
        _leaderId = Id;
        _lostLeader = null;
        _votes.Clear();
        _electionElapsed = 0;
        _heartbeatElapsed = 0;
        _uncommittedBytes = 0;
        _leadTransferee = null;
        _progress.Clear();
        foreach (var peer in _configuration.PeersOf(Id))
        {
            _progress[peer] = new FollowerProgress(_log.LastIndex + 1, _options.MaxInflightMessages);
        }
        // Any configuration entry in the uncommitted tail counts as pending: no new change until it commits.
        _pendingConfigurationIndex = _log.LastIndex;
        // The no-op lets the leader commit (and learn the commit index of) everything before its term.
        AppendToLog(new LogEntry(_term, _log.LastIndex + 1, EntryKind.NoOp, ReadOnlyMemory<byte>.Empty));
        _replicationPending = true;
    }

    private void LeaveLeadership()
    {
        _progress.Clear();
        _reads.Clear();
        _leadTransferee = null;
        _uncommittedBytes = 0;
        _replicationPending = false;
        _commitChanged = false;
        _readRoundPending = false;
        _stepDownPending = false;
    }

    private enum VoteResult
    {
        Pending,
        Won,
        Lost,
    }
}
