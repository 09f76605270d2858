using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Hosting;
using Dfs.Raft.Consensus.Storage;
using Dfs.Raft.Consensus.Transport;
using Dfs.Testing;

namespace Dfs.Raft.Tests.Hosting;

/// <summary>Raft hosts over an <see cref="InMemoryRaftNetwork"/> with in-memory stores: for the host's own logic, where links are cut and healed.</summary>
internal sealed class InMemoryTestCluster : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly IReadOnlyList<string> _members;

    private InMemoryTestCluster(IReadOnlyList<string> members)
    {
        _members = members;
    }

    public InMemoryRaftNetwork Network { get; } = new();

    public Dictionary<string, RaftHost> Hosts { get; } = [];

    public Dictionary<string, RecordingStateMachine> StateMachines { get; } = [];

    public static async Task<InMemoryTestCluster> StartAsync(int size)
    {
        var cluster = new InMemoryTestCluster(Enumerable.Range(1, size).Select(i => $"m{i}").ToArray());
        foreach (var id in cluster._members)
        {
            await cluster.StartNodeAsync(id);
        }
        return cluster;
    }

    /// <summary>Starts a node that knows the original members only (a newcomer to be added).</summary>
    public async Task<RaftHost> StartNodeAsync(string id)
    {
        var stateMachine = new RecordingStateMachine();
        var host = new RaftHost(Options(id, _members), new InMemoryRaftLogStore(), new InMemorySnapshotStore(), stateMachine,
            Network.CreateTransport(id));
        Hosts[id] = host;
        StateMachines[id] = stateMachine;
        await host.StartAsync(CancellationToken.None);
        return host;
    }

    public static RaftHostOptions Options(string id, IReadOnlyList<string> members) => new()
    {
        NodeId = id,
        Members = members,
        ElectionTimeout = TimeSpan.FromMilliseconds(150),
        HeartbeatInterval = TimeSpan.FromMilliseconds(30),
    };

    public async Task<RaftHost> WaitForLeaderAsync(IEnumerable<string>? among = null)
    {
        var candidates = (among ?? Hosts.Keys).ToArray();
        RaftHost? leader = null;
        await Eventually.WaitUntilAsync(() =>
        {
            var leaders = candidates.Select(id => Hosts[id]).Where(h => h.Status.Role == RaftRole.Leader).ToArray();
            leader = leaders.Length == 1 ? leaders[0] : null;
            return leader is not null && candidates.All(id => Hosts[id].Status.LeaderId == leader.Id);
        }, Timeout, Describe, "one leader that the given nodes follow");
        return leader!;
    }

    public string Describe() => string.Join(" | ", Hosts.Values.Select(h =>
        $"{h.Id}: {h.Status.Role} t{h.Status.Term} leader={h.Status.LeaderId} commit={h.Status.CommitIndex} applied={h.Status.AppliedIndex} members={h.Status.Members}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Hosts.Values)
        {
            await host.DisposeAsync();
        }
    }
}
