using System.Threading.Channels;
using Dfs.Raft.Consensus.Storage;
using Dfs.Raft.Consensus.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dfs.Raft.Consensus.Hosting;

/// <summary>
/// Drives one <see cref="RaftNode"/> with real time, disk and network: a single event loop feeds it inbound
/// messages, proposals, reads and clock ticks, and carries out each Ready in the order Ready.cs documents.
/// </summary>
/// <remarks>
/// Everything that touches the node, the stores and the state machine runs on the event loop, one event at a
/// time; the public methods only queue events, so they are safe from any thread. While one Ready is being
/// persisted, new proposals queue up and go into the next one together (group commit). The host owns the
/// log store and the transport it is given and disposes them when it stops. Metrics are published on the
/// meter <c>Dfs.Raft.Host</c>.
/// </remarks>
public sealed partial class RaftHost : IAsyncDisposable
{
    private readonly RaftHostOptions _options;
    private readonly IRaftLogStore _logStore;
    private readonly ISnapshotStore _snapshotStore;
    private readonly IStateMachine _stateMachine;
    private readonly IRaftTransport _transport;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Random _random;
    private readonly RaftHostMetrics _metrics;
    private readonly Channel<HostEvent> _events = Channel.CreateUnbounded<HostEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private RaftNode? _node;
    private ITimer? _timer;
    private Task? _loop;
    private volatile RaftStatus _status;
    private int _state; // 0 created, 1 started, 2 stopping

    public RaftHost(RaftHostOptions options, IRaftLogStore logStore, ISnapshotStore snapshotStore, IStateMachine stateMachine,
        IRaftTransport transport, TimeProvider? time = null, ILogger<RaftHost>? logger = null, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logStore = logStore ?? throw new ArgumentNullException(nameof(logStore));
        _snapshotStore = snapshotStore ?? throw new ArgumentNullException(nameof(snapshotStore));
        _stateMachine = stateMachine ?? throw new ArgumentNullException(nameof(stateMachine));
        _transport = transport ?? throw new ArgumentNullException(nameof(transport));
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger<RaftHost>.Instance;
        _random = random ?? new Random();
        _metrics = new RaftHostMetrics(options.NodeId);
        _status = new RaftStatus(options.NodeId, RaftRole.Follower, 0, null, 0, 0, 0, 0, new ClusterConfiguration(options.Members));
    }

    /// <summary>This node's id.</summary>
    public string Id => _options.NodeId;

    /// <summary>The node's state as of the last event the loop handled.</summary>
    public RaftStatus Status => _status;

    /// <summary>The follower a graceful stop last handed leadership to (for tests and diagnostics).</summary>
    internal string? LastTransferTarget { get; private set; }

    /// <summary>Raised on the event loop when the known leader changes; handlers must return quickly.</summary>
    public event EventHandler<LeaderChangedEventArgs>? LeaderChanged;

    /// <summary>Recovers the log, snapshot and state machine, then starts the clock, the transport and the event loop.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException($"Raft host {Id} was already started.");
        }
        _node = Boot();
        PublishStatus();
        _transport.Start(
            message => Enqueue(new MessageEvent(message)),
            peer => Enqueue(new UnreachableEvent(peer)),
            peer => Enqueue(new PeerClosedEvent(peer)));
        StartPersister();
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        _timer = _time.CreateTimer(_ => EnqueueTick(), null, _options.TickInterval, _options.TickInterval);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Replicates <paramref name="command"/> and returns what the state machine's Apply returned for it, once
    /// it is committed and applied here.
    /// </summary>
    /// <exception cref="NotLeaderException">This node is not the leader, or the entry was replaced before commit (it was not applied).</exception>
    /// <exception cref="ProposalOutcomeUnknownException">The node lost track of the entry; it may or may not have been applied.</exception>
    /// <exception cref="ProposalRejectedException">The leader refused the proposal (too much uncommitted, say).</exception>
    public Task<ReadOnlyMemory<byte>> ProposeAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken)
    {
        var proposal = new PendingProposal(cancellationToken);
        Enqueue(new ProposeEvent(command, proposal));
        return proposal.Task;
    }

    /// <summary>
    /// Runs <paramref name="read"/> linearizably: after the leader confirmed it still leads (ReadIndex) and the
    /// state machine applied everything committed before the call, on the event loop so it sees one consistent state.
    /// </summary>
    /// <exception cref="NotLeaderException">This node is not the leader, or lost leadership before the read was confirmed.</exception>
    public Task<T> ReadAsync<T>(Func<T> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        var pending = new PendingRead<T>(read, cancellationToken);
        Enqueue(new ReadEvent(pending));
        return pending.Task;
    }

    /// <summary>Asks the leader to hand leadership to <paramref name="targetId"/> and waits until it has, or the election timeout passed twice.</summary>
    /// <returns>True if <paramref name="targetId"/> leads afterwards.</returns>
    /// <exception cref="NotLeaderException">This node is not the leader.</exception>
    public async Task<bool> TransferLeadershipAsync(string targetId, CancellationToken cancellationToken)
    {
        var started = await RunOnLoopAsync(node => node.Role == RaftRole.Leader
            ? node.TransferLeadership(targetId)
            : throw new NotLeaderException(Id, node.LeaderId), cancellationToken);
        if (!started)
        {
            return false;
        }
        return await WaitForStatusAsync(s => s.LeaderId == targetId && s.Role != RaftRole.Leader, 2 * _options.ElectionTimeout, cancellationToken);
    }

    /// <summary>
    /// Stops the node. A leader first hands leadership to its most up-to-date follower and waits briefly for it,
    /// so the group does not wait out an election timeout.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _state) == 1 && _status.Role == RaftRole.Leader)
        {
            try
            {
                var target = await RunOnLoopAsync(BestTransferTarget, cancellationToken);
                if (target is not null)
                {
                    LastTransferTarget = target;
                    Log.TransferringOnStop(_logger, Id, target);
                    var started = await RunOnLoopAsync(node => node.TransferLeadership(target), cancellationToken);
                    if (!started || !await WaitForStatusAsync(s => s.Role != RaftRole.Leader, _options.StopTransferTimeout, cancellationToken))
                    {
                        Log.TransferTimedOut(_logger, Id);
                    }
                }
            }
            catch (Exception e) when (e is NotLeaderException or ObjectDisposedException or OperationCanceledException)
            {
                // Already stopping or no longer leader: nothing to hand over.
            }
        }
        await ShutdownAsync();
    }

    /// <summary>Stops at once, without handing over leadership (a crash, as far as the group can tell).</summary>
    public ValueTask DisposeAsync() => new(ShutdownAsync());

    private async Task ShutdownAsync()
    {
        var previous = Interlocked.Exchange(ref _state, 2);
        if (previous == 2)
        {
            return;
        }
        if (_timer is not null)
        {
            await _timer.DisposeAsync();
        }
        await _stopping.CancelAsync();
        _events.Writer.TryComplete();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }
        }
        await _transport.DisposeAsync();
        await StopPersisterAsync();
        await StopSnapshotSaveAsync();
        FailEverything(stopping: true);
        _logStore.Dispose();
        _stopping.Dispose();
        if (previous == 1)
        {
            Log.Stopped(_logger, Id);
        }
    }

    private void Enqueue(HostEvent hostEvent)
    {
        if (!_events.Writer.TryWrite(hostEvent))
        {
            hostEvent.Fail(new ObjectDisposedException(nameof(RaftHost), $"Raft host {Id} is stopped."));
        }
    }

    private int _tickQueued;

    private void EnqueueTick()
    {
        // At most one tick waits in the queue: a loop held up by a slow fsync does not come back to a burst of
        // ticks that would fire an election the disk, not the leader, caused.
        if (Interlocked.Exchange(ref _tickQueued, 1) == 0)
        {
            Enqueue(TickEvent.Instance);
        }
    }

    /// <summary>Runs <paramref name="action"/> on the event loop and returns its result.</summary>
    private Task<T> RunOnLoopAsync<T>(Func<RaftNode, T> action, CancellationToken cancellationToken)
    {
        var control = new ControlEvent<T>(action, cancellationToken);
        Enqueue(control);
        return control.Task;
    }

    /// <summary>Waits until the published status satisfies <paramref name="condition"/>; false on timeout.</summary>
    private async Task<bool> WaitForStatusAsync(Func<RaftStatus, bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waiter = new StatusWaiter(condition);
        lock (_statusWaiters)
        {
            _statusWaiters.Add(waiter);
        }
        try
        {
            if (condition(_status))
            {
                return true;
            }
            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeoutSource.CancelAfter(timeout);
            try
            {
                await waiter.Completion.Task.WaitAsync(timeoutSource.Token);
                return true;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return condition(_status);
            }
        }
        finally
        {
            lock (_statusWaiters)
            {
                _statusWaiters.Remove(waiter);
            }
        }
    }

    private readonly List<StatusWaiter> _statusWaiters = [];

    private sealed class StatusWaiter(Func<RaftStatus, bool> condition)
    {
        public Func<RaftStatus, bool> Condition { get; } = condition;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
