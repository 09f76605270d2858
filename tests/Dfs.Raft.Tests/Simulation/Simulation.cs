using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Sessions;

namespace Dfs.Raft.Tests.Simulation;

/// <summary>
/// A deterministic simulation of a Raft group with clients: single-threaded, virtual time, every random
/// choice from one seeded <see cref="Random"/>, so a seed replays exactly. Nodes run the real
/// <see cref="RaftNode"/> over the in-memory stores, driven by a host loop that follows the Ready order;
/// the network drops, duplicates, delays, reorders and partitions; nodes crash and lose unsynced writes.
/// </summary>
internal sealed partial class Simulation
{
    private const long PeriodicCheckUs = 100_000;

    private readonly SimulationOptions _options;
    private readonly int _seed;
    private readonly Random _random;

    // Every delivered message in the trace (a replay with DFS_SIM_TRACE=messages).
    private readonly bool _traceMessages;
    private readonly EventQueue _events = new();
    private readonly SimTrace _trace;
    private readonly InvariantChecker _checker;
    private readonly SimulationStats _stats = new();
    private readonly SimNode[] _nodes;
    private readonly Dictionary<string, SimNode> _nodeById = new(StringComparer.Ordinal);
    private readonly List<SimClient> _clients = [];
    private readonly ClusterConfiguration _configuration;
    private readonly SessionOptions _sessionOptions;

    // Short sessions: clients pause past the idle timeout and abandon commands retried too long.
    private readonly bool _shortSessions;
    private readonly long _faultPhaseUs;

    // Flow control drawn per seed, small enough that batching limits, pipelining windows and the
    // uncommitted-bytes cap are all hit.
    private readonly int _maxInflight;
    private readonly int _maxBytesPerMessage;
    private readonly long _maxUncommittedBytes;

    // Drawn per seed.
    private readonly double _dropProbability;
    private readonly double _duplicateProbability;
    private readonly long _minDelayUs;
    private readonly long _maxDelayUs;
    private readonly long _minDiskUs;
    private readonly long _maxDiskUs;
    private readonly int _snapshotEvery;
    private readonly bool _stepWhilePersisting;

    // The host's order: pipelined (as RaftHost: several Readys in flight, a persistence stage with group
    // commit, applies before the local fsync) or sequential (one Ready at a time).
    private readonly bool _pipelined;
    private readonly double _crashWhilePersistingProbability;

    private bool _faultsOn = true;
    private SimClient? _probe;
    private bool _probeAcknowledged;

    public Simulation(SimulationOptions options, int seed)
    {
        _options = options;
        _seed = seed;
        _random = new Random(seed);
        _trace = new SimTrace(options.TraceCapacity);
        _traceMessages = options.TraceMessages;
        _checker = new InvariantChecker(() => _events.Now);

        _dropProbability = _random.NextDouble() * options.MaxDropProbability;
        _duplicateProbability = _random.NextDouble() * options.MaxDuplicateProbability;
        _minDelayUs = 200 + _random.Next(2_000);
        _maxDelayUs = _minDelayUs + 1_000 + _random.Next(options.TickUs is > 0 ? (int)options.TickUs * 2 : 20_000);
        _minDiskUs = 100 + _random.Next(1_000);
        _maxDiskUs = _minDiskUs + _random.Next(8_000);
        _snapshotEvery = 5 + _random.Next(40);
        _stepWhilePersisting = _random.Next(2) == 0;
        _stats.StepWhilePersisting = _stepWhilePersisting;
        _crashWhilePersistingProbability = _random.NextDouble() * 0.004;
        _shortSessions = _random.Next(4) == 0;
        _sessionOptions = _shortSessions ? new SessionOptions { IdleTimeoutMs = 2_500 + _random.Next(1_000) } : new SessionOptions();
        _faultPhaseUs = _shortSessions ? options.FaultPhaseUs * 2 : options.FaultPhaseUs;
        _maxInflight = _random.Next(2) == 0 ? 64 : 1 + _random.Next(4);
        _maxBytesPerMessage = _random.Next(2) == 0 ? 1 << 20 : 64 + _random.Next(400);
        _maxUncommittedBytes = _random.Next(3) == 0 ? 400 + _random.Next(2_000) : 64L << 20;
        var pipelined = _random.Next(2) == 0;
        _pipelined = options.HostOrder is { } order ? order == HostOrder.Pipelined : pipelined;
        _stats.PipelinedRuns = _pipelined ? 1 : 0;

        _nodes = new SimNode[options.NodeCount];
        for (var i = 0; i < _nodes.Length; i++)
        {
            var drift = 1.0 + (_random.NextDouble() - 0.5) * 0.04;
            var node = new SimNode(i, $"n{i + 1}", (long)(options.TickUs * drift), _random.Next(-50_000, 50_000));
            _nodes[i] = node;
            _nodeById.Add(node.Id, node);
        }
        _configuration = new ClusterConfiguration(_nodes.Take(options.InitialVoters > 0 ? options.InitialVoters : _nodes.Length).Select(n => n.Id));
        for (var i = 0; i < options.ClientCount; i++)
        {
            _clients.Add(new SimClient(i, $"c{i + 1}", NewGuid()) { Target = _random.Next(_nodes.Length) });
        }
    }

    /// <summary>Runs one seed to the end, or to the first violation.</summary>
    public static SimulationResult Run(SimulationOptions options, int seed) => new Simulation(options, seed).Run();

    public SimulationResult Run()
    {
        Note($"seed {_seed}: {_nodes.Length} nodes, drop {_dropProbability:F3}, dup {_duplicateProbability:F3}, " +
            $"delay {_minDelayUs}-{_maxDelayUs}us, disk {_minDiskUs}-{_maxDiskUs}us, snapshot every {_snapshotEvery}, " +
            $"host {(_pipelined ? "pipelined" : "sequential")}, step while persisting {_stepWhilePersisting}, crash while persisting {_crashWhilePersistingProbability:F4}, " +
            $"session idle timeout {_sessionOptions.IdleTimeoutMs}ms, inflight {_maxInflight}, message bytes {_maxBytesPerMessage}, " +
            $"uncommitted bytes {_maxUncommittedBytes}");
        try
        {
            foreach (var node in _nodes)
            {
                Boot(node);
            }
            foreach (var client in _clients)
            {
                _events.After(_random.Next(50_000), () => StartNextOperation(client));
            }
            SchedulePeriodicCheck();
            ScheduleNemesis();

            RunUntil(_faultPhaseUs, () => false);
            if (!_checker.Failed)
            {
                RunLivenessPhase();
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or InvalidDataException
                                      or IndexOutOfRangeException or KeyNotFoundException or NullReferenceException)
        {
            _checker.Report("exception", $"{e.GetType().Name}: {e.Message}{Environment.NewLine}{e.StackTrace}");
        }
        _stats.LeadersElected = _checker.LeadersSeen;
        _stats.AcknowledgedWrites = _checker.AcknowledgedWrites;
        _stats.Reads = _checker.CompletedReads;
        _stats.MaxCommitIndex = _checker.MaxCommittedIndex;
        foreach (var violation in _checker.Violations.Take(3))
        {
            Note($"VIOLATION {violation}");
        }
        return new SimulationResult(_seed, _checker.Violations, _trace.Render(), _trace.Digest, _trace.Events, _events.Now, _stats);
    }

    private void RunUntil(long until, Func<bool> done)
    {
        while (!_checker.Failed && !done() && _events.RunNext(until))
        {
        }
    }

    /// <summary>
    /// Heals every partition, restarts every node and stops injecting faults; then a leader must be elected,
    /// a final command committed and acknowledged, and all replicas converge, within the bound.
    /// </summary>
    private void RunLivenessPhase()
    {
        _faultsOn = false;
        HealAll();
        foreach (var node in _nodes.Where(n => !n.Up))
        {
            Restart(node);
        }
        foreach (var client in _clients)
        {
            client.Active = false;
        }
        Note("liveness phase: all healed and up, faults off");
        var deadline = _events.Now + _options.LivenessBoundUs;
        _probe = new SimClient(_clients.Count, "probe", NewGuid()) { Target = _random.Next(_nodes.Length) };
        _clients.Add(_probe);
        StartNextOperation(_probe);
        RunUntil(deadline, () => _probeAcknowledged && Converged());
        if (_checker.Failed)
        {
            return;
        }
        if (!_probeAcknowledged)
        {
            var leaders = string.Join(", ", _nodes.Select(n => $"{n.Id}:{n.Raft?.Role}/t{n.Raft?.Term}/c{n.Raft?.CommitIndex}"));
            _checker.Report(InvariantChecker.Liveness, $"no command committed within {_options.LivenessBoundUs / 1000}ms after healing ({leaders})");
            return;
        }
        if (!Converged())
        {
            var state = string.Join(", ", _nodes.Select(n => $"{n.Id}: applied {n.LastAppliedIndex} commit {n.Raft?.CommitIndex} persisting {n.Persisting}, jobs in flight {n.PersistJobsInFlight}"));
            _checker.Report(InvariantChecker.Liveness, $"replicas did not converge within {_options.LivenessBoundUs / 1000}ms after healing ({state})");
            return;
        }
        CheckLogs();
        CheckFinalState();
    }

    /// <summary>Every node applied everything the leader committed, and nothing is in flight locally.</summary>
    private bool Converged()
    {
        var leader = _nodes.FirstOrDefault(n => n.Up && n.Raft!.Role == RaftRole.Leader);
        if (leader is null)
        {
            return false;
        }
        var commit = leader.Raft!.CommitIndex;
        return Members(leader).All(n => n.Up && n.Idle && n.LastAppliedIndex == commit && n.Raft!.CommitIndex == commit);
    }

    /// <summary>The nodes in the leader's configuration: removed or never-added nodes need not keep up.</summary>
    private IEnumerable<SimNode> Members(SimNode leader) => _nodes.Where(n => leader.Raft!.Configuration.IsMember(n.Id));

    private void CheckFinalState()
    {
        var leader = _nodes.First(n => n.Up && n.Raft!.Role == RaftRole.Leader);
        var members = Members(leader).ToArray();
        byte[]? reference = null;
        foreach (var node in members)
        {
            using var stream = new MemoryStream();
            node.Machine!.WriteSnapshot(stream);
            var bytes = stream.ToArray();
            if (reference is null)
            {
                reference = bytes;
            }
            else if (!bytes.AsSpan().SequenceEqual(reference))
            {
                _checker.Report(InvariantChecker.ReplicaAgreement, $"{node.Id}'s state differs from {members[0].Id}'s at applied index {node.LastAppliedIndex}");
                return;
            }
        }
        Note($"final configuration {leader.Raft!.Configuration}, leader {leader.Id}");
        _checker.CheckFinalState(leader.Inner!.Lists.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));
    }

    private void SchedulePeriodicCheck() =>
        _events.After(PeriodicCheckUs, () =>
        {
            CheckLogs();
            SchedulePeriodicCheck();
        });

    /// <summary>Log matching over all live nodes, leader completeness for live leaders, and store/core agreement.</summary>
    private void CheckLogs()
    {
        var logs = new Dictionary<string, (long, IReadOnlyList<LogEntry>)>(StringComparer.Ordinal);
        foreach (var node in _nodes.Where(n => n.Up))
        {
            var raft = node.Raft!;
            var log = raft.EntriesFrom(raft.FirstLogIndex, int.MaxValue);
            logs.Add(node.Id, (raft.FirstLogIndex, log));
            if (raft.Role == RaftRole.Leader)
            {
                _checker.CheckLeaderCompleteness(node.Id, raft.Term, raft.FirstLogIndex, log);
            }
            if (node.Idle && !raft.HasReady)
            {
                CheckStoreMatchesCore(node, raft.FirstLogIndex, log);
            }
        }
        _checker.CheckLogMatching(logs);
    }

    /// <summary>
    /// With every Ready handled, the store (what a crash would recover) holds exactly the core's log: an
    /// entry the core counts as durable but the store lacks would be lost by a crash.
    /// </summary>
    private void CheckStoreMatchesCore(SimNode node, long firstIndex, IReadOnlyList<LogEntry> log)
    {
        var stored = node.LogStore.Recover().Entries;
        var lastIndex = firstIndex + log.Count - 1;
        var storedLast = stored.Count == 0 ? node.LastSnapshotIndex : stored[^1].Index;
        if (stored.Count > 0 && storedLast != lastIndex || stored.Count == 0 && log.Count > 0)
        {
            _checker.Report(InvariantChecker.Durability, $"{node.Id}: the core's log ends at {lastIndex} but the store's at {storedLast}");
            return;
        }
        if (stored.Count == 0)
        {
            return;
        }
        var storedFirst = stored[0].Index;
        if (storedFirst > firstIndex && log.Count > 0)
        {
            _checker.Report(InvariantChecker.Durability, $"{node.Id}: the core's log starts at {firstIndex} but the store's at {storedFirst}");
            return;
        }
        for (var i = Math.Max(firstIndex, storedFirst); i <= lastIndex; i++)
        {
            var mine = log[(int)(i - firstIndex)];
            var theirs = stored[(int)(i - storedFirst)];
            if (!InvariantChecker.SameEntry(mine, theirs))
            {
                _checker.Report(InvariantChecker.Durability,
                    $"{node.Id}: the core holds {InvariantChecker.Describe(mine)} but the store {InvariantChecker.Describe(theirs)}");
                return;
            }
        }
    }

    private Guid NewGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        return new Guid(bytes);
    }

    private void Note(string text) => _trace.Note(_events.Now, text);
}
