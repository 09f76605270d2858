using System.Net;
using Dfs.Client.Kv;
using Dfs.Client.Master.Protocol;
using Dfs.Common.Configuration;
using Dfs.Raft.Consensus.Hosting;
using Dfs.Raft.Consensus.Sessions;
using Dfs.Raft.Kv;
using Dfs.Raft.Master;
using Dfs.Raft.Master.Membership;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.Membership;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using Microsoft.Extensions.Logging;
using DfsNotLeaderException = Dfs.Raft.Consensus.Hosting.NotLeaderException;
using DotNextNotLeaderException = DotNext.Net.Cluster.Consensus.Raft.NotLeaderException;

namespace Dfs.Raft.DotNext;

/// <summary>
/// One master's key-value store replicated by DotNext's <see cref="RaftCluster"/> (TCP transport, <see cref="WriteAheadLog"/>)
/// instead of our engine: the same session layer over the same store, the same command bytes in the log, the same
/// <see cref="IMasterKv"/> to the APIs above.
/// </summary>
/// <remarks>
/// DotNext's peers talk on each master's <see cref="MasterNodeConfig.ConsensusPortOrDefault"/>; the master's raftPort keeps
/// serving the internal client protocol. Writes are proposed only on the leader and answered with the result of
/// applying them here (the proposal rides in the entry's context); linearizable reads wait for DotNext's strong read
/// barrier. The log, the term and vote, and the snapshots live under <c>{dataDir}/{id}/dotnext</c>.
/// </remarks>
public sealed partial class DotNextMasterNode : IMasterKv, IMasterLeadership, IMasterMembership, IHostedService, IAsyncDisposable
{
    private readonly ClusterConfig _config;
    private readonly MasterNodeConfig _self;
    private readonly KvStateMachine _store;
    private readonly DotNextStateMachine _stateMachine;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly string _directory;
    private readonly DotNextMasterOptions _options;
    private readonly Lock _idsLock = new();
    private Dictionary<EndPoint, string> _ids = [];
    private WriteAheadLog? _log;
    private RaftCluster? _cluster;
    private DotNextMemberStorage? _members;
    private int _state; // 0 created, 1 started, 2 stopped

    public DotNextMasterNode(ClusterConfig config, string id, KvStateMachine store, SessionStateMachine sessions, TimeProvider time,
        ILoggerFactory loggerFactory, DotNextMasterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        _self = config.Master(id);
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _loggerFactory = loggerFactory ?? throw new ArgumentNullException(nameof(loggerFactory));
        _logger = loggerFactory.CreateLogger<DotNextMasterNode>();
        _options = options ?? new DotNextMasterOptions();
        _directory = Path.Combine(config.DataDirectoryFor(_self.Id), "dotnext");
        _stateMachine = new DotNextStateMachine(new DirectoryInfo(Path.Combine(_directory, "snapshots")), sessions, _options.SnapshotThreshold);
    }

    /// <inheritdoc />
    public event EventHandler<LeaderChangedEventArgs>? LeaderChanged;

    public MasterStatus Status
    {
        get
        {
            var cluster = _cluster;
            var log = _log;
            var leading = cluster is not null && !cluster.LeadershipToken.IsCancellationRequested;
            var role = cluster is null ? "Follower" : leading ? "Leader" : cluster.Standby ? "Standby" : "Follower";
            return new MasterStatus(_self.Id, role, Term, LeaderId, log?.LastCommittedEntryIndex ?? 0, _stateMachine.AppliedIndex,
                log?.LastEntryIndex ?? 0, _stateMachine.SnapshotIndex, Members(cluster), Environment.ProcessId);
        }
    }

    // The group as DotNext knows it (it changes with AddMemberAsync and RemoveMemberAsync), by master id.
    private string[] Members(RaftCluster? cluster) => cluster is null
        ? _config.Masters.Select(m => m.Id).ToArray()
        : cluster.Members.Select(m => IdOf(m.EndPoint)!).Order(StringComparer.Ordinal).ToArray();

    // The log keeps the term and vote; DotNext exposes them through the persistent-state interface only.
    private long Term => _log is IPersistentState state ? state.Term : 0;

    /// <inheritdoc />
    public string? LeaderId => _cluster?.Leader is { } leader ? IdOf(leader.EndPoint) : null;

    private string? IdOf(EndPoint endPoint) => _ids.GetValueOrDefault(endPoint) ?? endPoint.ToString();

    /// <summary>Restores the latest snapshot and the log, then joins the other masters.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException($"Master {_self.Id} was already started.");
        }
        var endpoints = new Dictionary<string, IPEndPoint>();
        foreach (var master in _config.Masters)
        {
            endpoints[master.Id] = new IPEndPoint(await ResolveAsync(master.Host, cancellationToken), master.ConsensusPortOrDefault);
        }
        _ids = endpoints.ToDictionary(e => (EndPoint)e.Value, e => e.Key);

        await _stateMachine.RestoreAsync(cancellationToken);
        // DotNext's WAL flushes the log before a commit returns, so the leader has an entry on disk before it answers the
        // proposer; a follower acknowledges AppendEntries before its own flush, and no option changes that.
        _log = new WriteAheadLog(new WriteAheadLog.Options { Location = Path.Combine(_directory, "wal") }, _stateMachine);
        await _log.InitializeAsync(cancellationToken);

        var election = _config.ElectionTimeoutMs ?? _options.ElectionTimeoutMs;
        // The member list lives beside the log: after a membership change a restarted master rejoins the group it last
        // knew. The first start writes config.json's masters not marked joining; a joining master is not among them,
        // so it neither votes nor campaigns until the leader adds it.
        Directory.CreateDirectory(_directory);
        var storage = _members = new DotNextMemberStorage(Path.Combine(_directory, "members"));
        IClusterConfigurationStorage<EndPoint> members = storage;
        var initial = await members.LoadConfigurationAsync(cancellationToken);
        if (initial.Members.Count == 0)
        {
            foreach (var master in _config.InitialMasters)
            {
                initial = initial.Add(endpoints[master.Id]);
            }
            await members.SaveConfigurationAsync(initial, 0L, cancellationToken);
        }
        var configuration = new RaftCluster.TcpConfiguration(endpoints[_self.Id])
        {
            LowerElectionTimeout = election,
            UpperElectionTimeout = 2 * election,
            // Long enough for a snapshot of a large store to reach a lagging follower in one request; a dead peer is still found
            // within an election timeout, because connecting to it fails fast and elections have their own deadline.
            RequestTimeout = _options.RequestTimeout,
            ConnectTimeout = TimeSpan.FromMilliseconds(election),
            // The members are named above, so none bootstraps a one-member group of its own.
            ColdStart = false,
            ConfigurationStorage = storage,
            LoggerFactory = _loggerFactory,
        };

        _cluster = new RaftCluster(configuration) { AuditTrail = _log };
        _cluster.LeaderChanged += OnLeaderChanged;
        await _cluster.StartAsync(cancellationToken);
        Log.Started(_logger, _self.Id, endpoints[_self.Id].ToString(), _log.LastCommittedEntryIndex);
    }

    private static async Task<IPAddress> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var address))
        {
            return address;
        }
        var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
        return addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) ?? addresses.First();
    }

    private void OnLeaderChanged(RaftCluster<RaftClusterMember> cluster, RaftClusterMember? leader)
    {
        var id = leader is null ? null : IdOf(leader.EndPoint);
        LeaderChanged?.Invoke(this, new LeaderChangedEventArgs(id, Term));
    }

    public Task<ReadOnlyMemory<byte>> ExecuteAsync(ReadOnlyMemory<byte> command, ClientRequest? request, CancellationToken cancellationToken)
    {
        // Decoded only to refuse a bad command before it reaches the log; the log holds the bytes as they came.
        KvCommandCodec.DecodeValidated(command);
        return ProposeAsync(command, request, cancellationToken);
    }

    public async Task<KvResult> ExecuteAsync(KvCommand command, ClientRequest? request, CancellationToken cancellationToken) =>
        KvResultCodec.Decode(await ProposeAsync(KvCommandCodec.Encode(command), request, cancellationToken));

    public async Task<T> ReadAsync<T>(Func<KvStateMachine, T> read, bool linearizable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        if (linearizable)
        {
            var cluster = LeaderOrThrow();
            try
            {
                await cluster.ApplyReadBarrierAsync(ReadBarrierType.Strong, cancellationToken);
            }
            catch (Exception e) when (e is DotNextNotLeaderException or QuorumUnreachableException)
            {
                throw new DfsNotLeaderException(_self.Id, LeaderId, "Leadership was lost before the read was confirmed.");
            }
        }
        return _stateMachine.Read(() => read(_store));
    }

    private RaftCluster LeaderOrThrow()
    {
        var cluster = _cluster;
        if (cluster is null || Volatile.Read(ref _state) != 1 || cluster.LeadershipToken.IsCancellationRequested)
        {
            throw new DfsNotLeaderException(_self.Id, LeaderId);
        }
        return cluster;
    }

    // Proposes a validated command under the session layer; answers the encoded result the store produced.
    private async Task<ReadOnlyMemory<byte>> ProposeAsync(ReadOnlyMemory<byte> body, ClientRequest? request, CancellationToken cancellationToken)
    {
        var cluster = LeaderOrThrow();
        var (session, sequence, lowest) = request is { } r ? (r.ClientId, r.Sequence, r.LowestUnanswered) : (Guid.Empty, 1L, 1L);
        // The entry's only time is the leader's clock at proposal; every replica applies the command at that time.
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var encoded = new CommandEnvelope(session, sequence, lowest, now, body).Encode();
        var proposal = new DotNextProposal(Term);
        try
        {
            await cluster.ReplicateAsync(new BinaryLogEntry { Content = encoded, Term = proposal.Term, Context = proposal }, cancellationToken);
        }
        catch (DotNextNotLeaderException) when (!proposal.Outcome.IsCompleted)
        {
            // Leadership ended after the entry may have been appended: a later leader may still commit it.
            throw new ProposalOutcomeUnknownException(0, $"master {_self.Id} lost leadership before the entry was applied.");
        }
        if (!proposal.Outcome.IsCompleted)
        {
            // Applied here only through a snapshot, which carries no per-entry results.
            throw new ProposalOutcomeUnknownException(0, $"master {_self.Id} installed a snapshot past the entry; its result is not known here.");
        }
        var applied = await proposal.Outcome ?? throw new DfsNotLeaderException(_self.Id, LeaderId, "A newer leader replaced the entry before it was committed.");
        var result = SessionResult.Decode(applied);
        return SessionAnswers.BodyOrThrow(result, session, sequence);
    }

    /// <inheritdoc />
    public string SelfId => _self.Id;

    /// <inheritdoc />
    /// <remarks>DotNext catches a new member up before its configuration entry, so it has no learners.</remarks>
    public MasterGroup Group => new(Members(_cluster), []);

    /// <inheritdoc />
    /// <remarks>
    /// DotNext's one-at-a-time change: the leader replicates to the new member for its warm-up rounds, commits an empty
    /// entry, then commits the configuration that names it.
    /// </remarks>
    public async Task AddMemberAsync(MasterNodeConfig master, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(master);
        var cluster = LeaderOrThrow();
        var endPoint = new IPEndPoint(await ResolveAsync(master.Host, cancellationToken), master.ConsensusPortOrDefault);
        Learn(master.Id, endPoint);
        bool added;
        try
        {
            added = await cluster.AddMemberAsync(endPoint, cancellationToken);
        }
        catch (DotNextNotLeaderException)
        {
            throw new DfsNotLeaderException(_self.Id, LeaderId, "Leadership was lost during the membership change.");
        }
        catch (RaftCluster.ConcurrentMembershipModificationException e)
        {
            throw new MasterException(MasterErrorCode.Conflict, e.Message);
        }
        if (!added)
        {
            throw new MasterException(MasterErrorCode.Unavailable,
                $"{master.Id} ({endPoint}) did not catch up with the leader, or its configuration was not committed; it is not a member.");
        }
    }

    /// <inheritdoc />
    /// <remarks>A leader that removes itself goes into DotNext's standby once the configuration without it applies.</remarks>
    public async Task RemoveMemberAsync(string id, CancellationToken cancellationToken)
    {
        var cluster = LeaderOrThrow();
        var endPoint = cluster.Members.Select(m => m.EndPoint).FirstOrDefault(e => IdOf(e) == id)
            ?? throw new MasterException(MasterErrorCode.NotFound, $"{id} is not a member of the group.");
        bool removed;
        try
        {
            removed = await cluster.RemoveMemberAsync(endPoint, cancellationToken);
        }
        catch (DotNextNotLeaderException) when (id == _self.Id && !Members(cluster).Contains(id))
        {
            // The leader removed itself: it stepped down as the change applied.
            return;
        }
        catch (DotNextNotLeaderException)
        {
            throw new DfsNotLeaderException(_self.Id, LeaderId, "Leadership was lost during the membership change.");
        }
        catch (RaftCluster.ConcurrentMembershipModificationException e)
        {
            throw new MasterException(MasterErrorCode.Conflict, e.Message);
        }
        if (!removed)
        {
            throw new MasterException(MasterErrorCode.Unavailable, $"The configuration without {id} was not committed; it is still a member.");
        }
    }

    /// <inheritdoc />
    public void LearnAddresses(IReadOnlyList<MasterNodeConfig> masters)
    {
        ArgumentNullException.ThrowIfNull(masters);
        foreach (var master in masters)
        {
            if (IPAddress.TryParse(master.Host, out var address))
            {
                Learn(master.Id, new IPEndPoint(address, master.ConsensusPortOrDefault));
            }
            else if (Dns.GetHostAddresses(master.Host).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) is { } resolved)
            {
                Learn(master.Id, new IPEndPoint(resolved, master.ConsensusPortOrDefault));
            }
        }
    }

    // DotNext knows members by endpoint only; the id map names them in statuses and redirects.
    private void Learn(string id, EndPoint endPoint)
    {
        lock (_idsLock)
        {
            _ids = new Dictionary<EndPoint, string>(_ids) { [endPoint] = id };
        }
    }

    /// <summary>
    /// Leaves the group. A leader first steps down into standby (DotNext has no targeted transfer: the others elect a
    /// successor, and standby keeps this node from standing again) and waits briefly for the successor.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, 2, 1) != 1 || _cluster is not { } cluster)
        {
            return;
        }
        if (!cluster.LeadershipToken.IsCancellationRequested)
        {
            await HandOverAsync(cluster, cancellationToken);
        }
        await ShutdownAsync();
    }

    private async Task HandOverAsync(RaftCluster cluster, CancellationToken cancellationToken)
    {
        var successor = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged(RaftCluster<RaftClusterMember> c, RaftClusterMember? leader)
        {
            if (leader is { IsRemote: true })
            {
                successor.TrySetResult(IdOf(leader.EndPoint)!);
            }
        }
        cluster.LeaderChanged += OnChanged;
        try
        {
            await cluster.EnableStandbyModeAsync(cancellationToken);
            Log.Resigned(_logger, _self.Id);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(4 * cluster.ElectionTimeout);
            var next = await successor.Task.WaitAsync(timeout.Token);
            Log.HandedOver(_logger, _self.Id, next, Term);
        }
        catch (OperationCanceledException)
        {
            Log.HandOverTimedOut(_logger, _self.Id);
        }
        finally
        {
            cluster.LeaderChanged -= OnChanged;
        }
    }

    private async Task ShutdownAsync()
    {
        if (_cluster is { } cluster)
        {
            cluster.LeaderChanged -= OnLeaderChanged;
            await cluster.StopAsync(CancellationToken.None);
            await cluster.DisposeAsync();
        }
        if (_log is { } log)
        {
            await log.DisposeAsync();
        }
        await _stateMachine.DisposeAsync();
        _members?.Dispose();
    }

    /// <summary>Stops at once, without handing over leadership.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 1)
        {
            await ShutdownAsync();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1100, LogLevel.Information, "Master {NodeId} joined the DotNext Raft group on {EndPoint} (log committed to {CommitIndex})")]
        public static partial void Started(ILogger logger, string nodeId, string endPoint, long commitIndex);

        [LoggerMessage(1101, LogLevel.Information, "Raft node {NodeId} steps down into standby before stopping")]
        public static partial void Resigned(ILogger logger, string nodeId);

        [LoggerMessage(1102, LogLevel.Information, "Raft node {NodeId} hands leadership to {Target}, elected in term {Term}, before stopping")]
        public static partial void HandedOver(ILogger logger, string nodeId, string target, long term);

        [LoggerMessage(1103, LogLevel.Warning, "Raft node {NodeId} stops before a successor was elected")]
        public static partial void HandOverTimedOut(ILogger logger, string nodeId);
    }
}
