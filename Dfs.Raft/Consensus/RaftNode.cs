using Dfs.Raft.Consensus.Messages;

namespace Dfs.Raft.Consensus;

/// <summary>
/// One member of a Raft group as a pure state machine: driven by <see cref="Tick"/>, <see cref="Step"/> and
/// proposals, it hands everything to do to its host as a <see cref="Ready"/> (the etcd-raft "step / ready" shape).
/// </summary>
/// <remarks>
/// Single-threaded and deterministic: no I/O, clocks, threads or locks; the only randomness is the election
/// jitter drawn from the injected <see cref="Random"/>. Durability contract: nothing that promises local state
/// (votes, acknowledgements) leaves before the host persisted the Ready that carried that state; the leader's
/// own log counts toward a commit only after <see cref="Advance"/> of the Ready that carried its entries.
/// The host handles one Ready at a time: <see cref="GetReady"/>, then everything it asks, then
/// <see cref="Advance"/>, before the next <see cref="GetReady"/>.
/// </remarks>
public sealed partial class RaftNode
{
    private readonly RaftOptions _options;
    private readonly Random _random;
    private readonly RaftLog _log = new();
    private readonly ClusterConfiguration _initialConfiguration;
    private readonly Dictionary<string, FollowerProgress> _progress = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _votes = new(StringComparer.Ordinal);
    private readonly List<RaftMessage> _messages = [];
    private readonly List<RaftMessage> _messagesAfterPersist = [];
    private readonly List<ReadState> _readStates = [];
    private readonly ReadIndexQueue _reads = new();

    private long _term;
    private string? _votedFor;
    private long _commit;
    private long _applied;
    private RaftRole _role;
    private string? _leaderId;

    private int _electionElapsed;
    private int _heartbeatElapsed;
    private int _randomizedElectionTimeout;

    // Entries at or below this index were handed to the host in a Ready (or recovered at boot).
    private long _handedOutIndex;

    // Entries at or below this index are durable on this node (their Ready was advanced).
    private long _persistedIndex;

    private HardState _lastHardState;
    private SoftState _lastSoftState;
    private SnapshotMetadata? _snapshot;
    private ReceivedSnapshot? _pendingSnapshot;

    private ClusterConfiguration _configuration;

    // Index of the entry that set the configuration in force; the snapshot index (or 0) when it came from there.
    private long _configurationIndex;

    /// <summary>Creates a node from what its storage recovered (or a fresh group's configuration).</summary>
    /// <param name="options">Tuning; validated here.</param>
    /// <param name="boot">Persisted hard state, snapshot and log.</param>
    /// <param name="random">The only source of randomness (election jitter); seed it for a reproducible run.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="InvalidDataException">The boot log is not contiguous after the snapshot.</exception>
    public RaftNode(RaftOptions options, RaftBootState boot, Random random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(boot);
        ArgumentNullException.ThrowIfNull(random);
        options.Validate();
        _options = options;
        _random = random;
        _initialConfiguration = boot.InitialConfiguration;

        _snapshot = boot.Snapshot;
        if (_snapshot is not null)
        {
            _log.Reset(_snapshot.Index, _snapshot.Term);
        }
        foreach (var entry in boot.Entries)
        {
            if (entry.Index <= _log.SnapshotIndex)
            {
                continue;
            }
            if (entry.Index != _log.LastIndex + 1)
            {
                throw new InvalidDataException(
                    $"Boot log of {options.Id} is not contiguous: entry {entry.Index} follows {_log.LastIndex}.");
            }
            _log.Append(entry);
        }
        _handedOutIndex = _log.LastIndex;
        _persistedIndex = _log.LastIndex;

        _term = boot.HardState.Term;
        _votedFor = boot.HardState.VotedFor;
        _commit = Math.Max(_log.SnapshotIndex, Math.Min(boot.HardState.Commit, _log.LastIndex));
        _applied = _log.SnapshotIndex;
        _configuration = _initialConfiguration;
        RecomputeConfiguration();

        _role = RaftRole.Follower;
        _lastHardState = boot.HardState;
        _lastSoftState = new SoftState(_role, null, _term);
        ResetRandomizedElectionTimeout();
    }

    /// <summary>This node's id.</summary>
    public string Id => _options.Id;

    /// <summary>Follower, pre-candidate, candidate or leader.</summary>
    public RaftRole Role => _role;

    /// <summary>The latest term this node has seen.</summary>
    public long Term => _term;

    /// <summary>The leader this node knows of in its term, or null.</summary>
    public string? LeaderId => _leaderId;

    /// <summary>The highest index known to be committed.</summary>
    public long CommitIndex => _commit;

    /// <summary>Highest index handed out in <see cref="Ready.CommittedEntries"/>.</summary>
    public long AppliedIndex => _applied;

    /// <summary>The index of the last entry in the log (the snapshot index when the log is empty).</summary>
    public long LastLogIndex => _log.LastIndex;

    /// <summary>First index still held in the log (snapshot index + 1).</summary>
    public long FirstLogIndex => _log.FirstIndex;

    /// <summary>Latest snapshot known to the core.</summary>
    public SnapshotMetadata? Snapshot => _snapshot;

    /// <summary>The configuration in force: the latest configuration entry in the log.</summary>
    public ClusterConfiguration Configuration => _configuration;

    /// <summary>The member this node votes for in its term, or null.</summary>
    public string? VotedFor => _votedFor;

    /// <summary>The term of the last log entry.</summary>
    public long LastLogTerm => _log.LastTerm;

    /// <summary>The node a leadership transfer is handing over to, or null.</summary>
    public string? LeadTransferee => _leadTransferee;

    /// <summary>Ticks the current election timeout lasts (drawn in [ElectionTicks, 2 × ElectionTicks)).</summary>
    public int RandomizedElectionTimeout => _randomizedElectionTimeout;

    /// <summary>One logical clock tick.</summary>
    public void Tick()
    {
        if (_role == RaftRole.Leader)
        {
            TickLeader();
        }
        else
        {
            TickElection();
        }
    }

    /// <summary>Handles any incoming message; stale or misaddressed ones are ignored.</summary>
    public void Step(RaftMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.To != Id || message.From == Id)
        {
            return;
        }

        if (message.Term > _term)
        {
            if (!StepHigherTerm(message))
            {
                return;
            }
        }
        else if (message.Term < _term)
        {
            StepLowerTerm(message);
            return;
        }

        switch (message)
        {
            case RequestVote request:
                HandleRequestVote(request);
                break;
            case RequestVoteResponse response:
                HandleRequestVoteResponse(response);
                break;
            case AppendEntries append:
                HandleAppendEntries(append);
                break;
            case AppendEntriesResponse response:
                HandleAppendEntriesResponse(response);
                break;
            case InstallSnapshot install:
                HandleInstallSnapshot(install);
                break;
            case InstallSnapshotResponse response:
                HandleInstallSnapshotResponse(response);
                break;
            case TimeoutNow timeoutNow:
                HandleTimeoutNow(timeoutNow);
                break;
        }
    }

    /// <summary>A message from a higher term: returns false if it is to be ignored entirely.</summary>
    private bool StepHigherTerm(RaftMessage message)
    {
        switch (message)
        {
            case RequestVote request:
                // Leader stickiness (thesis §4.2.3, §6.2): while a leader is heard from, votes are refused
                // without even adopting the term, so a node that was cut off cannot depose it.
                var inLease = _options.CheckQuorum && _leaderId is not null && _electionElapsed < _options.ElectionTicks;
                if (inLease && !request.LeadershipTransfer)
                {
                    if (request.PreVote)
                    {
                        // Kept until the leader is heard from again: if its connection closes first, the pre-vote is answered then.
                        _preVoteRefusedInLease = request;
                    }
                    return false;
                }
                if (!request.PreVote)
                {
                    BecomeFollower(message.Term, null);
                }
                return true;
            case RequestVoteResponse { PreVote: true, Granted: true }:
                // A granted pre-vote carries the term we would campaign in; nobody has moved to it yet.
                return true;
            case AppendEntries or InstallSnapshot or TimeoutNow:
                BecomeFollower(message.Term, message.From);
                return true;
            default:
                BecomeFollower(message.Term, null);
                return true;
        }
    }

    private void StepLowerTerm(RaftMessage message)
    {
        switch (message)
        {
            case AppendEntries append:
                // Tells a deposed leader (that cannot hear of the new term otherwise, pre-vote keeping terms
                // stable) that it is stale.
                _messagesAfterPersist.Add(new AppendEntriesResponse(Id, append.From, _term, false, 0,
                    append.PrevLogIndex, _log.LastIndex, _log.LastTerm, append.ReadContext));
                break;
            case RequestVote { PreVote: true } request:
                _messages.Add(new RequestVoteResponse(Id, request.From, _term, PreVote: true, Granted: false));
                break;
        }
        // Anything else from an older term (replies included) is dropped.
    }

    private void BecomeFollower(long term, string? leaderId)
    {
        var wasLeader = _role == RaftRole.Leader;
        if (term != _term)
        {
            _term = term;
            _votedFor = null;
            _preVoteRefusedInLease = null;
        }
        _role = RaftRole.Follower;
        _leaderId = leaderId;
        if (leaderId is not null)
        {
            _lostLeader = null;
        }
        _votes.Clear();
        _heartbeatElapsed = 0;
        if (wasLeader)
        {
            _electionElapsed = 0;
            LeaveLeadership();
        }
        ResetRandomizedElectionTimeout();
    }

    private void ResetRandomizedElectionTimeout() =>
        _randomizedElectionTimeout = _options.ElectionTicks + _random.Next(_options.ElectionTicks);

    private bool IsPromotable => _configuration.IsVoter(Id);

    private void RecomputeConfiguration()
    {
        for (var i = _log.LastIndex; i > _log.SnapshotIndex; i--)
        {
            var entry = _log.Get(i);
            if (entry.Kind == EntryKind.Configuration)
            {
                _configuration = ClusterConfiguration.Decode(entry.Payload.Span);
                _configurationIndex = i;
                return;
            }
        }
        _configuration = _snapshot?.Configuration ?? _initialConfiguration;
        _configurationIndex = _log.SnapshotIndex;
    }

    /// <summary>Appends one entry to the in-memory log; a configuration entry takes effect at once (thesis §4.1).</summary>
    private void AppendToLog(LogEntry entry)
    {
        // Decoded first so a malformed configuration changes nothing.
        var configuration = entry.Kind == EntryKind.Configuration ? ClusterConfiguration.Decode(entry.Payload.Span) : null;
        _log.Append(entry);
        if (configuration is not null)
        {
            _configuration = configuration;
            _configurationIndex = entry.Index;
            OnConfigurationChanged();
        }
    }

    /// <summary>Removes a conflicting suffix; the replacement entries will be handed out again.</summary>
    private void TruncateLog(long fromIndex)
    {
        if (fromIndex <= _commit)
        {
            throw new InvalidOperationException(
                $"{Id}: refusing to truncate committed entry {fromIndex} (commit index {_commit}).");
        }
        _log.TruncateFrom(fromIndex);
        _handedOutIndex = Math.Min(_handedOutIndex, fromIndex - 1);
        _persistedIndex = Math.Min(_persistedIndex, fromIndex - 1);
        if (_configurationIndex >= fromIndex)
        {
            RecomputeConfiguration();
            OnConfigurationChanged();
        }
    }

    /// <summary>Entries from <paramref name="fromIndex"/> (at least <see cref="FirstLogIndex"/>), at most <paramref name="maxCount"/>.</summary>
    public IReadOnlyList<LogEntry> EntriesFrom(long fromIndex, int maxCount)
    {
        if (fromIndex < _log.FirstIndex)
        {
            throw new ArgumentOutOfRangeException(nameof(fromIndex), fromIndex,
                $"Entries before {_log.FirstIndex} are compacted into the snapshot.");
        }
        if (maxCount <= 0 || fromIndex > _log.LastIndex)
        {
            return [];
        }
        return _log.Slice(fromIndex, Math.Min(_log.LastIndex, fromIndex + maxCount - 1), long.MaxValue);
    }
}
