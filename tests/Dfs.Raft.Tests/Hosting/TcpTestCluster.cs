using System.Net;
using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Hosting;
using Dfs.Raft.Consensus.Storage;
using Dfs.Raft.Consensus.Transport;
using Dfs.Testing;
using Microsoft.Extensions.Logging;

namespace Dfs.Raft.Tests.Hosting;

/// <summary>
/// Raft hosts in this process, talking over real TCP on 127.0.0.1 (ports chosen by the OS), each with its log
/// and snapshots in its own temporary folder. Nodes can be killed (no handover) and restarted from their files.
/// </summary>
internal sealed class TcpTestCluster : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly Func<string, RaftHostOptions> _options;
    private readonly Dictionary<string, TestNode> _nodes = [];

    private TcpTestCluster(Func<string, RaftHostOptions> options)
    {
        _options = options;
    }

    /// <summary>Set DFS_TEST_LOG=1 to see the hosts' logs on the console.</summary>
    private static readonly Microsoft.Extensions.Logging.ILoggerFactory? Logging =
        Environment.GetEnvironmentVariable("DFS_TEST_LOG") == "1"
            ? Microsoft.Extensions.Logging.LoggerFactory.Create(b => Microsoft.Extensions.Logging.ConsoleLoggerExtensions.AddSimpleConsole(b, o => o.TimestampFormat = "HH:mm:ss.fff "))
            : null;

    public IReadOnlyList<string> Ids => _nodes.Keys.ToArray();

    public TestNode this[string id] => _nodes[id];

    public IEnumerable<TestNode> Running => _nodes.Values.Where(n => n.Host is not null);

    /// <summary>Starts <paramref name="size"/> nodes named m1..mN.</summary>
    public static async Task<TcpTestCluster> StartAsync(int size, Action<RaftHostOptionsBuilder>? configure = null)
    {
        var ids = Enumerable.Range(1, size).Select(i => $"m{i}").ToArray();
        var builder = new RaftHostOptionsBuilder();
        configure?.Invoke(builder);
        var cluster = new TcpTestCluster(id => builder.Build(id, ids));
        try
        {
            foreach (var id in ids)
            {
                cluster._nodes[id] = new TestNode(id, TestDirectory.Create($"raft-{id}"));
            }
            foreach (var id in ids)
            {
                await cluster.StartNodeAsync(id);
            }
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts (or restarts) node <paramref name="id"/> from what its folder holds, on the same port as before.</summary>
    public async Task StartNodeAsync(string id)
    {
        var node = _nodes[id];
        if (node.Host is not null)
        {
            throw new InvalidOperationException($"{id} is running.");
        }
        var transport = new TcpRaftTransport(new TcpRaftTransportOptions
        {
            NodeId = id,
            SnapshotDirectory = node.Directory.Combine("incoming"),
            InMemorySnapshotLimit = 1024,
        });
        node.Listener = await RaftTcpListener.StartAsync(new IPEndPoint(IPAddress.Loopback, node.Port), transport, CancellationToken.None);
        node.Port = node.Listener.EndPoint.Port;
        foreach (var other in _nodes.Values.Where(n => n.Id != id && n.Port != 0))
        {
            transport.SetPeer(other.Id, new DnsEndPoint("127.0.0.1", other.Port));
            other.Transport?.SetPeer(id, new DnsEndPoint("127.0.0.1", node.Port));
        }
        node.Transport = transport;
        node.StateMachine = new RecordingStateMachine();
        var logStore = new FileRaftLogStore(node.Directory.Combine("log"));
        var snapshotStore = new FileSnapshotStore(node.Directory.Path);
        node.Host = new RaftHost(_options(id), logStore, snapshotStore, node.StateMachine, transport,
            logger: Logging?.CreateLogger<RaftHost>());
        await node.Host.StartAsync(CancellationToken.None);
    }

    /// <summary>Stops node <paramref name="id"/> at once, as a crash would: no leadership handover.</summary>
    public async Task KillAsync(string id)
    {
        var node = _nodes[id];
        await node.Host!.DisposeAsync();
        await node.Listener!.DisposeAsync();
        node.Host = null;
        node.Listener = null;
        node.Transport = null;
    }

    /// <summary>Stops node <paramref name="id"/> gracefully (a leader hands over first).</summary>
    public async Task StopAsync(string id)
    {
        var node = _nodes[id];
        await node.Host!.StopAsync(CancellationToken.None);
        await node.Listener!.DisposeAsync();
        node.Host = null;
        node.Listener = null;
        node.Transport = null;
    }

    /// <summary>Waits until exactly one running node leads and every running node follows it; returns it.</summary>
    public async Task<TestNode> WaitForLeaderAsync(Func<TestNode, bool>? accept = null)
    {
        TestNode? leader = null;
        await Eventually.WaitUntilAsync(() =>
        {
            var leaders = Running.Where(n => n.Host!.Status.Role == RaftRole.Leader).ToArray();
            leader = leaders.Length == 1 ? leaders[0] : null;
            return leader is not null && (accept?.Invoke(leader) ?? true) &&
                Running.All(n => n.Host!.Status.LeaderId == leader.Id && n.Host.Status.Term == leader.Host!.Status.Term);
        }, Timeout, Describe, "one leader that every running node follows");
        return leader!;
    }

    /// <summary>Proposes through whichever node leads, retrying while leadership moves; returns the applied index.</summary>
    public async Task<long> ProposeAsync(string command)
    {
        long applied = 0;
        await Eventually.WaitUntilAsync(async _ =>
        {
            var leader = Running.FirstOrDefault(n => n.Host!.Status.Role == RaftRole.Leader);
            if (leader is null)
            {
                return false;
            }
            try
            {
                var result = await leader.Host!.ProposeAsync(System.Text.Encoding.UTF8.GetBytes(command), CancellationToken.None);
                applied = BitConverter.ToInt64(result.Span);
                return true;
            }
            catch (NotLeaderException)
            {
                return false;
            }
        }, Timeout, Describe, $"a leader took '{command}'");
        return applied;
    }

    /// <summary>Waits until every running node applied exactly <paramref name="expected"/>, in order.</summary>
    public Task WaitForAppliedAsync(IReadOnlyList<string> expected) =>
        Eventually.WaitUntilAsync(() => Running.All(n => n.StateMachine!.Commands.SequenceEqual(expected)), Timeout,
            () => $"expected {expected.Count} commands everywhere; " +
                string.Join("; ", Running.Select(n => $"{n.Id} applied {n.StateMachine!.Commands.Count}")) + "; " + Describe(),
            "every running node applied the same commands");

    public string Describe() => string.Join(" | ", _nodes.Values.Select(n => n.Host is { } host
        ? $"{n.Id}: {host.Status.Role} t{host.Status.Term} leader={host.Status.LeaderId} commit={host.Status.CommitIndex} applied={host.Status.AppliedIndex} last={host.Status.LastLogIndex} snap={host.Status.SnapshotIndex}"
        : $"{n.Id}: down"));

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes.Values)
        {
            if (node.Host is not null)
            {
                await KillAsync(node.Id);
            }
            node.Directory.Dispose();
        }
    }

    /// <summary>One member: what survives a restart (folder, port) and what does not.</summary>
    internal sealed class TestNode(string id, TestDirectory directory)
    {
        public string Id { get; } = id;

        public TestDirectory Directory { get; } = directory;

        public int Port { get; set; }


        public RaftHost? Host { get; set; }

        public RaftTcpListener? Listener { get; set; }

        public TcpRaftTransport? Transport { get; set; }

        public RecordingStateMachine? StateMachine { get; set; }
    }
}

/// <summary>Options shared by every node of a test cluster.</summary>
internal sealed class RaftHostOptionsBuilder
{
    public TimeSpan ElectionTimeout { get; set; } = TimeSpan.FromMilliseconds(300);

    public long SnapshotThreshold { get; set; } = 10_000;

    public RaftHostOptions Build(string id, IReadOnlyList<string> members) => new()
    {
        NodeId = id,
        Members = members,
        ElectionTimeout = ElectionTimeout,
        HeartbeatInterval = TimeSpan.FromMilliseconds(30),
        SnapshotThreshold = SnapshotThreshold,
    };
}
