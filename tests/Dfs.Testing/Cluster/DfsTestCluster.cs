using System.Collections.Concurrent;
using System.Net;
using Dfs.ChunkServer.Membership;
using Dfs.ChunkServer.Server;
using Dfs.ChunkServer.Storage;
using Dfs.Common.Configuration;
using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Transport;
using Dfs.Raft.Master;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dfs.Testing.Cluster;

/// <summary>
/// Masters and chunk servers in this process, composed exactly as the executables compose them
/// (<see cref="MasterServiceCollectionExtensions.AddDfsMaster"/>, <see cref="ChunkServerServiceCollectionExtensions"/>),
/// over real TCP on 127.0.0.1 with OS-chosen ports, each node in its own folder. Nodes can be killed (files kept),
/// restarted from their folders, and masters partitioned from each other and healed.
/// </summary>
/// <remarks>
/// Not thread-safe: one test drives it. <see cref="DisposeAsync"/> stops every node it started and deletes the folders,
/// even when stopping one of them fails.
/// </remarks>
public sealed class DfsTestCluster : IAsyncDisposable
{
    private readonly DfsTestClusterOptions _options;
    private readonly List<TestMaster> _masters = [];
    private readonly List<TestChunkServer> _chunkServers = [];
    private readonly ConcurrentDictionary<string, bool> _partitioned = new();

    private DfsTestCluster(DfsTestClusterOptions options)
    {
        _options = options;
    }

    public IReadOnlyList<TestMaster> Masters => _masters;

    public IReadOnlyList<TestChunkServer> ChunkServers => _chunkServers;

    /// <summary>The running masters.</summary>
    public IEnumerable<TestMaster> RunningMasters => _masters.Where(m => m.IsRunning);

    public TimeSpan Timeout => _options.Timeout;

    /// <summary>The cluster config with every node's current ports, for clients (<c>MasterClient.FromConfig</c>).</summary>
    public ClusterConfig Config => new()
    {
        ElectionTimeoutMs = _options.ElectionTimeoutMs,
        HeartbeatIntervalMs = _options.HeartbeatIntervalMs,
        ChunkServerHeartbeatMs = _options.ChunkServerHeartbeatMs,
        ChunkServerDeadMs = _options.ChunkServerDeadMs,
        Masters = _masters.Select(m => new MasterNodeConfig { Id = m.Id, Host = "127.0.0.1", RaftPort = m.RaftPort, ApiPort = m.ApiPort }).ToArray(),
        ChunkServers = _chunkServers.Select(c => new ChunkServerNodeConfig { Id = c.Id, Host = "127.0.0.1", Port = c.Port }).ToArray(),
        Gateway = new GatewayConfig { Port = 0 },
    };

    public TestMaster Master(string id) => _masters.SingleOrDefault(m => m.Id == id) ?? throw new ArgumentException($"No master {id}.", nameof(id));

    public TestChunkServer ChunkServer(string id) =>
        _chunkServers.SingleOrDefault(c => c.Id == id) ?? throw new ArgumentException($"No chunk server {id}.", nameof(id));

    /// <summary>Starts the masters (m1..mN) and the chunk servers (c1..cM); returns once every node listens.</summary>
    /// <remarks>It does not wait for a leader: see <see cref="WaitForLeaderAsync"/>.</remarks>
    public static async Task<DfsTestCluster> StartAsync(DfsTestClusterOptions? options = null)
    {
        var cluster = new DfsTestCluster(options ?? new DfsTestClusterOptions());
        try
        {
            for (var i = 1; i <= cluster._options.Masters; i++)
            {
                cluster._masters.Add(new TestMaster($"m{i}", TestDirectory.Create($"dfs-m{i}")));
            }
            for (var i = 1; i <= cluster._options.ChunkServers; i++)
            {
                cluster._chunkServers.Add(new TestChunkServer($"c{i}", TestDirectory.Create($"dfs-c{i}"), cluster._options.ChunkStore?.Invoke(i - 1)));
            }
            foreach (var master in cluster._masters)
            {
                await cluster.StartMasterAsync(master);
            }
            foreach (var server in cluster._chunkServers)
            {
                await cluster.StartChunkServerAsync(server);
            }
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until exactly one reachable master leads and every reachable running master follows it in its term; returns it.</summary>
    /// <param name="accept">A further condition on the leader (not the killed one, say).</param>
    public async Task<TestMaster> WaitForLeaderAsync(Func<TestMaster, bool>? accept = null)
    {
        TestMaster? leader = null;
        await Eventually.WaitUntilAsync(() =>
        {
            var reachable = RunningMasters.Where(m => !m.IsPartitioned).ToArray();
            var leaders = reachable.Where(m => m.Raft.Status.Role == RaftRole.Leader).ToArray();
            leader = leaders.Length == 1 ? leaders[0] : null;
            return leader is not null && (accept?.Invoke(leader) ?? true) &&
                reachable.All(m => m.Raft.Status.LeaderId == leader.Id && m.Raft.Status.Term == leader.Raft.Status.Term);
        }, _options.Timeout, Describe, "one leader that every reachable running master follows");
        return leader!;
    }

    /// <summary>Restarts master <paramref name="id"/> from its folder, on its former ports if they are free, else on new ones.</summary>
    public Task RestartMasterAsync(string id)
    {
        var master = Master(id);
        return master.IsRunning ? throw new InvalidOperationException($"Master {id} is running.") : StartMasterAsync(master);
    }

    /// <summary>Stops master <paramref name="id"/> at once, as a crash would: no leadership handover; its files stay.</summary>
    public async Task KillMasterAsync(string id)
    {
        var master = Master(id);
        var app = master.App ?? throw new InvalidOperationException($"Master {id} is down.");
        master.App = null;
        try
        {
            // Disposing the Raft host first stops it without the handover a graceful stop would make.
            await app.Services.GetRequiredService<Raft.Consensus.Hosting.RaftHost>().DisposeAsync();
            using var now = new CancellationTokenSource();
            await now.CancelAsync();
            await app.StopAsync(now.Token);
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    /// <summary>Stops master <paramref name="id"/> gracefully: a leader hands over first.</summary>
    public async Task StopMasterAsync(string id)
    {
        var master = Master(id);
        var app = master.App ?? throw new InvalidOperationException($"Master {id} is down.");
        master.App = null;
        try
        {
            await app.StopAsync();
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    /// <summary>Drops every Raft message between master <paramref name="id"/> and the others, both ways, until <see cref="Heal"/>.</summary>
    /// <remarks>Client connections to the master are not cut: a client can still ask it, and it can no longer commit.</remarks>
    public void Partition(string id)
    {
        var master = Master(id);
        master.IsPartitioned = true;
        _partitioned[id] = true;
    }

    /// <summary>Lets master <paramref name="id"/> exchange Raft messages with the others again.</summary>
    public void Heal(string id)
    {
        var master = Master(id);
        master.IsPartitioned = false;
        _partitioned.TryRemove(id, out _);
    }

    /// <summary>Restarts chunk server <paramref name="id"/> over the same store (folder), on its former port if it is free.</summary>
    public Task RestartChunkServerAsync(string id)
    {
        var server = ChunkServer(id);
        return server.IsRunning ? throw new InvalidOperationException($"Chunk server {id} is running.") : StartChunkServerAsync(server);
    }

    /// <summary>Stops chunk server <paramref name="id"/> at once: its connections drop, its files stay.</summary>
    public async Task KillChunkServerAsync(string id)
    {
        var server = ChunkServer(id);
        var host = server.Host ?? throw new InvalidOperationException($"Chunk server {id} is down.");
        server.Host = null;
        try
        {
            using var now = new CancellationTokenSource();
            await now.CancelAsync();
            await host.StopAsync(now.Token);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    /// <summary>One line per node, for failure messages.</summary>
    public string Describe() => string.Join(" | ", _masters.Select(m => m.ToString()).Concat(_chunkServers.Select(c => c.ToString())));

    public async ValueTask DisposeAsync()
    {
        List<Exception>? failures = null;
        foreach (var master in _masters.Where(m => m.IsRunning))
        {
            await Collect(() => KillMasterAsync(master.Id));
        }
        foreach (var server in _chunkServers.Where(c => c.IsRunning))
        {
            await Collect(() => KillChunkServerAsync(server.Id));
        }
        foreach (var node in _masters.Select(m => m.Directory).Concat(_chunkServers.Select(c => c.Directory)))
        {
            node.Dispose();
        }
        if (failures is not null)
        {
            throw new AggregateException("Stopping the test cluster failed.", failures);
        }

        async Task Collect(Func<Task> stop)
        {
            try
            {
                await stop();
            }
            catch (Exception e)
            {
                (failures ??= []).Add(e);
            }
        }
    }

    private bool CanSend(string from, string to) => !_partitioned.ContainsKey(from) && !_partitioned.ContainsKey(to);

    private async Task StartMasterAsync(TestMaster master)
    {
        try
        {
            master.App = await StartMasterAppAsync(master, Config);
        }
        catch (IOException) when (master.RaftPort != 0 || master.ApiPort != 0)
        {
            // The former ports are taken: the master comes back on new ones, and the others learn them below.
            master.RaftPort = 0;
            master.ApiPort = 0;
            master.App = await StartMasterAppAsync(master, Config);
        }
        var listeners = master.App.Services.GetRequiredService<MasterListeners>();
        master.RaftPort = listeners.RaftEndPoint.Port;
        master.ApiPort = listeners.ApiEndPoint.Port;
        // Ports are only known once bound, so every transport learns its peers' addresses here.
        var transport = master.App.Services.GetRequiredService<TcpRaftTransport>();
        foreach (var other in _masters.Where(m => m != master))
        {
            if (other.RaftPort != 0)
            {
                transport.SetPeer(other.Id, new DnsEndPoint("127.0.0.1", other.RaftPort));
            }
            if (other.IsRunning)
            {
                other.Services.GetRequiredService<TcpRaftTransport>().SetPeer(master.Id, new DnsEndPoint("127.0.0.1", master.RaftPort));
            }
        }
    }

    private async Task<WebApplication> StartMasterAppAsync(TestMaster master, ClusterConfig config)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        _options.Logging?.Invoke(builder.Logging);
        builder.AddDfsMaster(config with { BaseDirectory = master.Directory.Path, DataDir = "." }, master.Id, new DfsMasterOptions
        {
            Time = _options.Time,
            ConfigureRaft = _options.ConfigureRaft,
            RaftSendFilter = CanSend,
        });
        _options.ConfigureMasterServices?.Invoke(master.Id, builder.Services);
        var app = builder.Build();
        app.MapDfsMaster();
        try
        {
            await app.StartAsync();
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    private async Task StartChunkServerAsync(TestChunkServer server)
    {
        try
        {
            server.Host = await StartChunkServerHostAsync(server);
        }
        catch (IOException) when (server.Port != 0)
        {
            // The former port is taken: the server comes back on a new one.
            server.Port = 0;
            server.Host = await StartChunkServerHostAsync(server);
        }
        server.Port = server.Host.Endpoint.Port;
    }

    private Task<ChunkServerHost> StartChunkServerHostAsync(TestChunkServer server)
    {
        var options = _options.ChunkServer with { Host = "127.0.0.1", Port = server.Port };
        // Every chunk server joins the masters as the process does, with the masters' current ports.
        Action<IServiceCollection>? join = _options.ChunkServerHeartbeats && _masters.Count > 0
            ? services => services.AddChunkServerHeartbeats(ChunkServerHeartbeatOptions.From(Config, server.Id))
            : null;
        return server.OwnStore is { } store
            ? ChunkServerHost.StartAsync(store, options, _options.Logging, join, time: _options.Time)
            : ChunkServerHost.StartAsync(new FileChunkStoreOptions { RootPath = server.Directory.Combine(server.Id) }, _options.Scrubber, options,
                _options.Logging, join, time: _options.Time);
    }
}
