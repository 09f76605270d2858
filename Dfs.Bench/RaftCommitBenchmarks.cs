using System.Net;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Hosting;
using Dfs.Raft.Consensus.Storage;
using Dfs.Raft.Consensus.Transport;

namespace Dfs.Bench;

/// <summary>
/// Commits per second of a 3-node Raft group in this process, over loopback TCP, with file logs and
/// snapshots (fsync on), at 1, 16 and 64 concurrent proposers of 64-byte commands; beside the floor any
/// one-fsync-per-commit design would hit: the same number of single-entry appends to one FileRaftLogStore,
/// each followed by its own Sync.
/// </summary>
[Config(typeof(Config))]
public class RaftCommitBenchmarks
{
    /// <summary>Commits per invocation; a multiple of every proposer count.</summary>
    private const int Commits = 1024;

    private readonly byte[] _command = new byte[64];
    private string _folder = null!;
    private readonly List<(RaftHost Host, RaftTcpListener Listener)> _nodes = [];
    private RaftHost _leader = null!;
    private FileRaftLogStore _reference = null!;
    private long _referenceIndex;

    [Params(1, 16, 64)]
    public int Proposers { get; set; }

    // The in-process toolchain does not await asynchronous setup and cleanup, so these block on them.
    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _folder = Path.Combine(Path.GetTempPath(), "dfs-bench-raftcommit-" + Guid.NewGuid().ToString("N"));
        var ids = new[] { "m1", "m2", "m3" };
        var transports = new Dictionary<string, TcpRaftTransport>();
        var ports = new Dictionary<string, int>();
        foreach (var id in ids)
        {
            var transport = new TcpRaftTransport(new TcpRaftTransportOptions { NodeId = id, SnapshotDirectory = Path.Combine(_folder, id, "incoming") });
            var listener = await RaftTcpListener.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), transport, CancellationToken.None);
            transports[id] = transport;
            ports[id] = listener.EndPoint.Port;
            var host = new RaftHost(
                new RaftHostOptions { NodeId = id, Members = ids },
                new FileRaftLogStore(Path.Combine(_folder, id, "log")),
                new FileSnapshotStore(Path.Combine(_folder, id)),
                new CountingStateMachine(),
                transport);
            _nodes.Add((host, listener));
        }
        foreach (var (id, transport) in transports)
        {
            foreach (var peer in ids.Where(p => p != id))
            {
                transport.SetPeer(peer, new DnsEndPoint("127.0.0.1", ports[peer]));
            }
        }
        foreach (var (host, _) in _nodes)
        {
            await host.StartAsync(CancellationToken.None);
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (_nodes.Count(n => n.Host.Status.Role == RaftRole.Leader) != 1 ||
            _nodes.Any(n => n.Host.Status.LeaderId is null))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("No leader was elected within 30 s.");
            }
            await Task.Delay(10);
        }
        _leader = _nodes.Single(n => n.Host.Status.Role == RaftRole.Leader).Host;
        new Random(1).NextBytes(_command);

        _reference = new FileRaftLogStore(Path.Combine(_folder, "reference"));
        _reference.Recover();
        _referenceIndex = 1;
    }

    private async Task CleanupAsync()
    {
        foreach (var (host, listener) in _nodes)
        {
            await host.DisposeAsync();
            await listener.DisposeAsync();
        }
        _reference.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = Commits, Description = "3-node commit (loopback TCP, fsync)")]
    public Task Commit()
    {
        var perProposer = Commits / Proposers;
        var proposers = new Task[Proposers];
        for (var p = 0; p < proposers.Length; p++)
        {
            proposers[p] = ProposeManyAsync(perProposer);
        }
        return Task.WhenAll(proposers);
    }

    private async Task ProposeManyAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await _leader.ProposeAsync(_command, CancellationToken.None);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Commits, Description = "reference: 1-entry Append + Sync, one store")]
    public void SingleEntryFsyncedAppends()
    {
        var batch = new LogEntry[1];
        for (var i = 0; i < Commits; i++)
        {
            batch[0] = new LogEntry(1, _referenceIndex++, EntryKind.Command, _command);
            _reference.Append(batch);
            _reference.Sync();
        }
        _reference.CompactThrough(_referenceIndex - 1);
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            // Whole-cluster runs: each invocation is long, so one per iteration and no unrolling; in this
            // process, as the cluster's own threads and sockets are what is measured.
            AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(1)
                .WithIterationCount(5).WithInvocationCount(1).WithUnrollFactor(1)
                .WithToolchain(InProcessEmitToolchain.Instance));
            AddDiagnoser(MemoryDiagnoser.Default);
            AddColumn(new ThroughputColumn("commits/s", _ => 1));
        }
    }

    /// <summary>A trivial state machine: counts commands.</summary>
    private sealed class CountingStateMachine : IStateMachine
    {
        private long _count;

        public ReadOnlyMemory<byte> Apply(long index, ReadOnlySpan<byte> command)
        {
            _count++;
            return ReadOnlyMemory<byte>.Empty;
        }

        public void WriteSnapshot(Stream destination) => destination.Write(BitConverter.GetBytes(_count));

        public void RestoreSnapshot(Stream source)
        {
            var bytes = new byte[8];
            source.ReadExactly(bytes);
            _count = BitConverter.ToInt64(bytes);
        }
    }
}
