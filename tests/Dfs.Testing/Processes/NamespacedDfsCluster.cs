using System.Text.Json;
using Dfs.Common.Configuration;
using Dfs.Testing.Network;

namespace Dfs.Testing.Processes;

/// <summary>Shape of a <see cref="NamespacedDfsCluster"/>.</summary>
public sealed record NamespacedDfsClusterOptions
{
    public int Masters { get; init; } = 3;

    public int ChunkServers { get; init; } = 4;

    public int ReplicationFactor { get; init; } = 3;

    public long ChunkSizeBytes { get; init; } = 64 * 1024;

    public int ElectionTimeoutMs { get; init; } = 400;

    public int ChunkServerHeartbeatMs { get; init; } = 200;

    public int ChunkServerDeadMs { get; init; } = 3000;

    /// <summary>When positive, each chunk server's data folder is a tmpfs of this size: a real disk that can really fill up.</summary>
    public long ChunkServerDiskBytes { get; init; }

    /// <summary>Extra namespaces with no node, for clients (the machine's own namespace cannot reach the nodes).</summary>
    public IReadOnlyList<string> ClientNamespaces { get; init; } = ["client"];

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(90);
}

/// <summary>
/// A whole cluster of real processes, one per "host": every master, chunk server and the gateway runs in its own
/// network namespace with its own address (<see cref="NetworkNamespaces"/>), all from one <c>config.json</c> that
/// lists those addresses and the same fixed ports on every host. Nodes can be SIGKILLed, restarted, paused,
/// resumed and cut off the network; every node's output across restarts is kept in <c>logs/{id}.log</c>.
/// </summary>
public sealed class NamespacedDfsCluster : IAsyncDisposable
{
    private const int RaftPort = 7001;
    private const int ApiPort = 7101;
    private const int ChunkPort = 7201;
    private const int GatewayPort = 8080;

    private readonly TestDirectory _directory;
    private readonly NamespacedDfsClusterOptions _options;
    private readonly Dictionary<string, NodeProcess> _running = [];
    private readonly Dictionary<string, StreamWriter> _logs = [];
    private readonly List<string> _mounts = [];
    private readonly Lock _logLock = new();

    private NamespacedDfsCluster(string name, NamespacedDfsClusterOptions options)
    {
        _options = options;
        SweepStaleDisks();
        var masters = Enumerable.Range(1, options.Masters).Select(i => $"m{i}").ToArray();
        var chunkServers = Enumerable.Range(1, options.ChunkServers).Select(i => $"c{i}").ToArray();
        Network = NetworkNamespaces.Create([.. masters, .. chunkServers, "gateway", .. options.ClientNamespaces]);
        try
        {
            _directory = TestDirectory.Create($"{name}-{Network.RunId}");
            Directory.CreateDirectory(_directory.Combine("logs"));
            var config = new ClusterConfig
            {
                DataDir = "data",
                ReplicationFactor = options.ReplicationFactor,
                ChunkSizeBytes = options.ChunkSizeBytes,
                ElectionTimeoutMs = options.ElectionTimeoutMs,
                HeartbeatIntervalMs = Math.Max(10, options.ElectionTimeoutMs / 5),
                ChunkServerHeartbeatMs = options.ChunkServerHeartbeatMs,
                ChunkServerDeadMs = options.ChunkServerDeadMs,
                Masters = [.. masters.Select(id => new MasterNodeConfig { Id = id, Host = Network.AddressOf(id), RaftPort = RaftPort, ApiPort = ApiPort })],
                ChunkServers = [.. chunkServers.Select(id => new ChunkServerNodeConfig { Id = id, Host = Network.AddressOf(id), Port = ChunkPort })],
                Gateway = new GatewayConfig { Host = Network.AddressOf("gateway"), Port = GatewayPort },
            };
            Config = config with { BaseDirectory = _directory.Path };
            ConfigPath = _directory.Combine("config.json");
            Config.Save(ConfigPath);
        }
        catch
        {
            Network.Dispose();
            throw;
        }
    }

    public ClusterConfig Config { get; }

    /// <summary>The one config file every node is started with.</summary>
    public string ConfigPath { get; }

    /// <summary>The cluster's folder (config, data, logs).</summary>
    public string Folder => _directory.Path;

    public NetworkNamespaces Network { get; }

    public IReadOnlyList<string> MasterIds => [.. Config.Masters.Select(m => m.Id)];

    public IReadOnlyList<string> ChunkServerIds => [.. Config.ChunkServers.Select(c => c.Id)];

    /// <summary>The gateway's base address (reachable only from inside the namespaces).</summary>
    public Uri GatewayAddress => new($"http://{Config.Gateway.Host}:{Config.Gateway.Port}/");

    /// <summary>Each master's HTTP API base address.</summary>
    public IReadOnlyList<Uri> MasterApiAddresses => [.. Config.Masters.Select(m => new Uri($"http://{m.Host}:{m.ApiPort}/"))];

    public bool IsRunning(string id) => _running.ContainsKey(id);

    public NodeProcess Process(string id) => _running.TryGetValue(id, out var p) ? p : throw new InvalidOperationException($"{id} is not running.");

    /// <summary>A node's data folder.</summary>
    public string DataDirectory(string id) => Config.DataDirectoryFor(id);

    /// <summary>Creates the network, writes the config, starts every node in its namespace and waits for each one's ready line.</summary>
    public static async Task<NamespacedDfsCluster> StartAsync(string name, NamespacedDfsClusterOptions? options = null)
    {
        var cluster = new NamespacedDfsCluster(name, options ?? new NamespacedDfsClusterOptions());
        try
        {
            if (cluster._options.ChunkServerDiskBytes > 0)
            {
                foreach (var id in cluster.ChunkServerIds)
                {
                    cluster.MountDisk(id, cluster._options.ChunkServerDiskBytes);
                }
            }

            foreach (var id in cluster.MasterIds.Concat(cluster.ChunkServerIds))
            {
                cluster.Start(id);
            }

            await Task.WhenAll(cluster.MasterIds.Concat(cluster.ChunkServerIds).Select(cluster.WaitReadyAsync));
            cluster.Start("gateway");
            await cluster.WaitReadyAsync("gateway");
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>Starts node <paramref name="id"/> in its namespace without waiting for it.</summary>
    public void Start(string id)
    {
        if (_running.ContainsKey(id))
        {
            throw new InvalidOperationException($"{id} is already running.");
        }

        var app = id switch
        {
            "gateway" => "Dfs.Gateway",
            _ when Config.Masters.Any(m => m.Id == id) => "Dfs.Raft",
            _ when Config.ChunkServers.Any(c => c.Id == id) => "Dfs.ChunkServer",
            _ => throw new ArgumentException($"No node {id} in the config.", nameof(id)),
        };
        string[] arguments = id == "gateway" ? ["--config", ConfigPath, "--no-launch"] : ["--config", ConfigPath, "--id", id];
        var log = LogOf(id);
        lock (_logLock)
        {
            log.WriteLine($"==== {DateTime.UtcNow:O} starting {id}");
        }

        _running[id] = NodeProcess.StartDotnetAppInNamespace(Network.NamespaceOf(id), BuiltApp.PathOf(app), arguments, name: id,
            onLine: line =>
            {
                lock (_logLock)
                {
                    log.WriteLine(line);
                }
            });
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

    /// <summary>Starts a node again from its files and waits until it serves.</summary>
    public async Task RestartAsync(string id)
    {
        Start(id);
        await WaitReadyAsync(id);
    }

    /// <summary>SIGKILL by the process's own handle: no graceful shutdown, unsynced state is lost.</summary>
    public async Task KillAsync(string id)
    {
        var process = Process(id);
        process.Resume();
        process.Kill();
        await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await process.DisposeAsync();
        _running.Remove(id);
        lock (_logLock)
        {
            LogOf(id).WriteLine($"==== {DateTime.UtcNow:O} killed {id}");
        }
    }

    /// <summary>Starts another app (a workload) inside namespace <paramref name="ns"/>; the caller owns and disposes it.</summary>
    public NodeProcess StartInNamespace(string ns, string appName, IEnumerable<string> arguments, Action<string>? onLine = null) =>
        NodeProcess.StartDotnetAppInNamespace(Network.NamespaceOf(ns), BuiltApp.PathOf(appName), arguments, name: appName, onLine: onLine);

    /// <summary>Master <paramref name="id"/>'s <c>/raft/status</c> asked from namespace <paramref name="fromNamespace"/>, or null when it does not answer.</summary>
    public async Task<JsonElement?> StatusAsync(string id, string fromNamespace = "client")
    {
        var master = Config.Master(id);
        try
        {
            var body = await Task.Run(() => NetworkNamespaces.Run("ip", "netns", "exec", Network.NamespaceOf(fromNamespace),
                "curl", "-s", "-m", "2", $"http://{master.Host}:{master.ApiPort}/raft/status"));
            return JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (Exception e) when (e is InvalidOperationException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Waits until every running, linked master follows one leader; returns its id.</summary>
    public async Task<string> WaitForLeaderAsync(TimeSpan timeout, IReadOnlyCollection<string>? exclude = null)
    {
        string? leader = null;
        var seen = "";
        await Eventually.WaitUntilAsync(async _ =>
        {
            var statuses = new List<(string Id, string? Role, string? Leader)>();
            foreach (var id in MasterIds.Where(m => IsRunning(m) && exclude?.Contains(m) != true))
            {
                var status = await StatusAsync(id);
                statuses.Add((id, status?.GetProperty("role").GetString(),
                    status is { } s && s.GetProperty("leaderId").ValueKind == JsonValueKind.String ? s.GetProperty("leaderId").GetString() : null));
            }

            seen = string.Join("; ", statuses.Select(s => $"{s.Id}: {s.Role ?? "no answer"} (leader {s.Leader ?? "none"})"));
            var leaders = statuses.Where(s => s.Role == "Leader").ToList();
            leader = leaders.Count == 1 && statuses.All(s => s.Leader == leaders[0].Id) ? leaders[0].Id : null;
            return leader is not null;
        }, timeout, () => seen, "one leader that every running master follows", pollInterval: TimeSpan.FromMilliseconds(200));
        return leader!;
    }

    /// <summary>Mounts a tmpfs of <paramref name="bytes"/> as node <paramref name="id"/>'s data folder (before it starts).</summary>
    public void MountDisk(string id, long bytes)
    {
        var folder = DataDirectory(id);
        Directory.CreateDirectory(folder);
        NetworkNamespaces.Run("mount", "-t", "tmpfs", "-o", $"size={bytes}", $"dfs-{Network.RunId}-{id}", folder);
        _mounts.Add(folder);
    }

    /// <summary>Flushes the node logs and copies them, with the config, into <paramref name="folder"/>.</summary>
    public void SaveLogsTo(string folder)
    {
        Directory.CreateDirectory(folder);
        lock (_logLock)
        {
            foreach (var log in _logs.Values)
            {
                log.Flush();
            }
        }

        foreach (var file in Directory.EnumerateFiles(_directory.Combine("logs")))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)), overwrite: true);
        }

        File.Copy(ConfigPath, Path.Combine(folder, "config.json"), overwrite: true);
    }

    /// <summary>Kills every node, unmounts the disks, removes the namespaces and the folder.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var process in _running.Values)
        {
            process.Resume();
            await process.DisposeAsync();
        }

        _running.Clear();
        lock (_logLock)
        {
            foreach (var log in _logs.Values)
            {
                log.Dispose();
            }

            _logs.Clear();
        }

        foreach (var mount in _mounts)
        {
            try
            {
                NetworkNamespaces.Run("umount", "-l", mount);
            }
            catch (InvalidOperationException)
            {
                // Already gone; the folder is removed below either way.
            }
        }

        Network.Dispose();
        _directory?.Dispose();
    }

    /// <summary>Unmounts data-folder disks left by runs whose owner died (their source is named <c>dfs-{run}-{node}</c>).</summary>
    private static void SweepStaleDisks()
    {
        if (!File.Exists("/proc/mounts"))
        {
            return;
        }

        foreach (var fields in File.ReadLines("/proc/mounts").Select(l => l.Split(' ')).Where(f => f.Length > 2 && f[2] == "tmpfs"))
        {
            var parts = fields[0].Split('-');
            if (parts.Length == 3 && parts[0] == "dfs" && parts[1].Length == 6 && parts[1].All(char.IsAsciiHexDigitLower)
                && NetworkNamespaces.IsOwnerGone(parts[1]))
            {
                try
                {
                    NetworkNamespaces.Run("umount", "-l", fields[1].Replace("\\040", " ", StringComparison.Ordinal));
                }
                catch (InvalidOperationException)
                {
                    // Someone else unmounted it first.
                }
            }
        }
    }

    private StreamWriter LogOf(string id)
    {
        lock (_logLock)
        {
            if (!_logs.TryGetValue(id, out var log))
            {
                log = new StreamWriter(_directory.Combine("logs", id + ".log"), append: true);
                _logs.Add(id, log);
            }

            return log;
        }
    }
}
