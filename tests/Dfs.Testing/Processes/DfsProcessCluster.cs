using System.Text.Json;
using Dfs.Common.Configuration;

namespace Dfs.Testing.Processes;

/// <summary>Shape of a <see cref="DfsProcessCluster"/>.</summary>
public sealed record DfsProcessClusterOptions
{
    public int Masters { get; init; } = 3;

    public int ChunkServers { get; init; } = 3;

    /// <summary>Start a gateway process (<c>--no-launch</c>) serving the cluster.</summary>
    public bool Gateway { get; init; } = true;

    public int ReplicationFactor { get; init; } = 3;

    /// <summary>Small by default so that a few megabytes cross several chunks.</summary>
    public long ChunkSizeBytes { get; init; } = 1024 * 1024;

    public int ChunkServerHeartbeatMs { get; init; } = 200;

    public int ChunkServerDeadMs { get; init; } = 3000;

    public int ElectionTimeoutMs { get; init; } = 300;

    /// <summary>The masters' consensus backend (<c>dfs</c> or <c>dotnext</c>); with <c>dotnext</c> each master gets a free consensus port too.</summary>
    public string Consensus { get; init; } = ConsensusBackends.Dfs;

    /// <summary>Changes to the config before it is written, for what the options above do not cover.</summary>
    public Func<ClusterConfig, ClusterConfig>? Configure { get; init; }

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// A whole cluster of real processes on loopback: masters, chunk servers and a gateway, each a <c>dotnet</c> child
/// started from the built apps, with ports found free by the OS and data in a test folder. Any node can be SIGKILLed
/// (by its own handle) and restarted from its files; disposing kills whatever still runs and removes the folder.
/// </summary>
public sealed class DfsProcessCluster : IAsyncDisposable
{
    private readonly TestDirectory _directory;
    private readonly string _configPath;
    private readonly DfsProcessClusterOptions _options;
    private readonly Dictionary<string, NodeProcess> _running = [];
    private MasterStatusProbe _masters;

    private DfsProcessCluster(string name, DfsProcessClusterOptions options)
    {
        _options = options;
        _directory = TestDirectory.Create(name);
        var ports = FreePorts.Get(2 * options.Masters + options.ChunkServers + 1);
        var consensusPorts = options.Consensus == ConsensusBackends.DotNext ? FreePorts.Get(options.Masters) : null;
        var config = new ClusterConfig
        {
            DataDir = "data",
            ReplicationFactor = options.ReplicationFactor,
            ChunkSizeBytes = options.ChunkSizeBytes,
            ElectionTimeoutMs = options.ElectionTimeoutMs,
            HeartbeatIntervalMs = Math.Max(10, options.ElectionTimeoutMs / 5),
            ChunkServerHeartbeatMs = options.ChunkServerHeartbeatMs,
            ChunkServerDeadMs = options.ChunkServerDeadMs,
            Consensus = options.Consensus,
            Masters = Enumerable.Range(0, options.Masters).Select(i => new MasterNodeConfig
            {
                Id = $"m{i + 1}",
                RaftPort = ports[2 * i],
                ApiPort = ports[2 * i + 1],
                ConsensusPort = consensusPorts?[i],
            }).ToArray(),
            ChunkServers = Enumerable.Range(0, options.ChunkServers).Select(i => new ChunkServerNodeConfig
            {
                Id = $"c{i + 1}",
                Port = ports[2 * options.Masters + i],
            }).ToArray(),
            Gateway = new GatewayConfig { Port = ports[^1] },
        };
        // Relative data folders resolve against the config file's folder, as the processes that load it see them.
        config = config with { BaseDirectory = _directory.Path };
        Config = options.Configure?.Invoke(config) ?? config;
        _configPath = _directory.Combine("config.json");
        Config.Save(_configPath);
        _masters = new MasterStatusProbe(Config);
    }

    /// <summary>The config as written to <see cref="ConfigPath"/>; <see cref="AddMaster"/> extends it.</summary>
    public ClusterConfig Config { get; private set; }

    public string ConfigPath => _configPath;

    /// <summary>The gateway's base address.</summary>
    public Uri GatewayAddress => new($"http://{Config.Gateway.Host}:{Config.Gateway.Port}/");

    public IEnumerable<string> MasterIds => Config.Masters.Select(m => m.Id);

    public IEnumerable<string> ChunkServerIds => Config.ChunkServers.Select(c => c.Id);

    public bool IsRunning(string id) => _running.ContainsKey(id);

    /// <summary>The process of a running node.</summary>
    public NodeProcess Process(string id) => _running.TryGetValue(id, out var p) ? p : throw new InvalidOperationException($"{id} is not running.");

    /// <summary>A node's data folder (<c>{dataDir}/{id}</c>).</summary>
    public string DataDirectory(string id) => Config.DataDirectoryFor(id);

    /// <summary>
    /// Describes one more master, <c>m{n}</c> on free ports and marked <c>"joining": true</c>, in config.json: what an operator
    /// does before starting a new master. The running nodes keep the config they read at start; the new master, and any
    /// node restarted from now on, reads this one. Start it with <see cref="Start"/>; add it to the group with <c>dfs masters add</c>.
    /// </summary>
    public MasterNodeConfig AddMaster()
    {
        var ports = FreePorts.Get(3);
        var number = Config.Masters.Count + 1;
        while (Config.Masters.Any(m => m.Id == $"m{number}"))
        {
            number++;
        }
        var master = new MasterNodeConfig
        {
            Id = $"m{number}",
            RaftPort = ports[0],
            ApiPort = ports[1],
            ConsensusPort = Config.Consensus == ConsensusBackends.DotNext ? ports[2] : null,
            Joining = true,
        };
        Config = Config with { Masters = [.. Config.Masters, master] };
        Config.Save(_configPath);
        var previous = _masters;
        _masters = new MasterStatusProbe(Config);
        previous.Dispose();
        return master;
    }

    /// <summary>Stops a node gracefully (SIGTERM, then waits for it to exit) by its own handle.</summary>
    public async Task StopAsync(string id)
    {
        var process = Process(id);
        await process.TerminateAsync(TimeSpan.FromSeconds(20));
        LastOutput = process.GetCapturedOutput();
        await process.DisposeAsync();
        _running.Remove(id);
    }

    /// <summary>Writes the config, starts every node and waits for each one's ready line.</summary>
    public static async Task<DfsProcessCluster> StartAsync(string name, DfsProcessClusterOptions? options = null)
    {
        var cluster = new DfsProcessCluster(name, options ?? new DfsProcessClusterOptions());
        try
        {
            foreach (var id in cluster.MasterIds.Concat(cluster.ChunkServerIds))
            {
                cluster.Start(id);
            }
            if (cluster._options.Gateway)
            {
                cluster.Start("gateway");
            }
            await Task.WhenAll(cluster._running.Keys.ToArray().Select(cluster.WaitReadyAsync));
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    /// <summary>Starts node <paramref name="id"/> (a master, a chunk server or <c>gateway</c>) without waiting for it.</summary>
    public void Start(string id)
    {
        if (_running.ContainsKey(id))
        {
            throw new InvalidOperationException($"{id} is already running.");
        }
        _running[id] = id switch
        {
            "gateway" => NodeProcess.StartDotnetApp(BuiltApp.PathOf("Dfs.Gateway"), ["--config", _configPath, "--no-launch"], name: id),
            _ when Config.Masters.Any(m => m.Id == id) => NodeProcess.StartDotnetApp(BuiltApp.PathOf("Dfs.Raft"), ["--config", _configPath, "--id", id], name: id),
            _ when Config.ChunkServers.Any(c => c.Id == id) => NodeProcess.StartDotnetApp(BuiltApp.PathOf("Dfs.ChunkServer"), ["--config", _configPath, "--id", id], name: id),
            _ => throw new ArgumentException($"No node {id} in the config.", nameof(id)),
        };
    }

    /// <summary>Waits for the ready line the node prints once it serves.</summary>
    public Task WaitReadyAsync(string id)
    {
        var marker = id switch
        {
            "gateway" => "Dfs gateway ready",
            _ when Config.Masters.Any(m => m.Id == id) => $"master {id} ready",
            _ => $"chunk server {id} ready",
        };
        return Process(id).WaitForLineAsync(l => l.Contains(marker, StringComparison.Ordinal), _options.StartTimeout);
    }

    public async Task RestartAsync(string id)
    {
        Start(id);
        await WaitReadyAsync(id);
    }

    /// <summary>SIGKILL by the process's own handle: no graceful shutdown, unsynced state is lost.</summary>
    public async Task KillAsync(string id)
    {
        var process = Process(id);
        process.Kill();
        await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        LastOutput = process.GetCapturedOutput();
        await process.DisposeAsync();
        _running.Remove(id);
    }

    /// <summary>The output of the node last killed.</summary>
    public string LastOutput { get; private set; } = "";

    /// <summary>Waits until every running master agrees on one leader and returns its id.</summary>
    public Task<string> WaitForLeaderAsync(TimeSpan timeout) => _masters.WaitForLeaderAsync(() => MasterIds.Where(IsRunning), timeout);

    /// <summary>A master's <c>/raft/status</c>, or null when it does not answer.</summary>
    public Task<JsonElement?> StatusAsync(string masterId, CancellationToken cancellationToken = default) => _masters.StatusAsync(masterId, cancellationToken);

    /// <summary>Every running node's recent output, for a failure message.</summary>
    public string Logs() => string.Join(Environment.NewLine, _running.Select(p => $"==== {p.Key}{Environment.NewLine}{p.Value.GetCapturedOutput()}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _running.Values)
        {
            await process.DisposeAsync();
        }
        _running.Clear();
        _masters.Dispose();
        _directory.Dispose();
    }
}
