using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Dfs.Common.Configuration;
using Dfs.Common.Processes;

namespace Dfs.Bench.Load;

/// <summary>Three Dfs master processes on loopback, from a config written into a scratch folder, on either consensus backend.</summary>
public sealed class DfsKvCluster : IKvCluster
{
    private readonly string _folder;
    private readonly string _configPath;
    private readonly ClusterConfig _config;
    private readonly Process?[] _processes;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };

    /// <param name="consensus">The masters' consensus backend (<see cref="ConsensusBackends"/>); it names the system in the results.</param>
    /// <param name="electionTimeoutMs">The masters' election timeout; the repository's config.json uses 200 ms.</param>
    public DfsKvCluster(string folder, string consensus = ConsensusBackends.Dfs, int raftPortBase = 17001, int apiPortBase = 17101, int electionTimeoutMs = 200)
    {
        _folder = folder;
        Name = consensus;
        Directory.CreateDirectory(folder);
        _config = new ClusterConfig
        {
            DataDir = "data",
            // The same timing as the repository's config.json for a local cluster.
            ElectionTimeoutMs = electionTimeoutMs,
            HeartbeatIntervalMs = electionTimeoutMs / 5,
            Masters = Enumerable.Range(1, 3).Select(i => new MasterNodeConfig
            {
                Id = $"m{i}",
                Host = "127.0.0.1",
                RaftPort = raftPortBase + i - 1,
                ApiPort = apiPortBase + i - 1,
            }).ToArray(),
            Gateway = new GatewayConfig { Port = apiPortBase + 100 },
            Consensus = consensus,
        };
        _configPath = Path.Combine(folder, "config.json");
        _config.Save(_configPath);
        _processes = new Process?[3];
        Endpoints = _config.Masters.Select(m => new Endpoint(m.Host, m.ApiPort)).ToArray();
    }

    public string Name { get; }

    public IReadOnlyList<Endpoint> Endpoints { get; }

    public KvProtocol NewProtocol() => new DfsKvProtocol();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        for (var i = 0; i < 3; i++)
        {
            StartMember(i);
        }
        return Task.CompletedTask;
    }

    private void StartMember(int member)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Dfs.Raft.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"The master binary is not beside the load generator: {dll}. Build Dfs.Bench first.");
        }
        _processes[member] = ProcessTools.Start("dotnet", [dll, "--config", _configPath, "--id", _config.Masters[member].Id],
            Path.Combine(_folder, $"{_config.Masters[member].Id}.log"));
    }

    public async Task<int> WaitForLeaderAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var seen = "";
        while (clock.Elapsed < timeout)
        {
            var statuses = await Task.WhenAll(Endpoints.Select(e => StatusAsync(e, cancellationToken)));
            seen = string.Join("; ", statuses.Select((s, i) => $"{_config.Masters[i].Id}: {(s is null ? "down" : s.Value.GetProperty("role").GetString())}"));
            if (statuses.All(s => s is not null))
            {
                for (var i = 0; i < statuses.Length; i++)
                {
                    if (statuses[i]!.Value.GetProperty("role").GetString() == "Leader")
                    {
                        return i;
                    }
                }
            }
            await Task.Delay(50, cancellationToken);
        }
        throw new TimeoutException($"No Dfs leader with all three masters up within {timeout}; last seen: {seen}. Logs in {_folder}.");
    }

    public async Task WaitForCaughtUpAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        long? target = null;
        var seen = "";
        while (clock.Elapsed < timeout)
        {
            var statuses = await Task.WhenAll(Endpoints.Select(e => StatusAsync(e, cancellationToken)));
            if (statuses.All(s => s is not null))
            {
                var members = statuses.Select(s => s!.Value).ToArray();
                target ??= members.Where(m => m.GetProperty("role").GetString() == "Leader").Select(m => (long?)m.GetProperty("commitIndex").GetInt64()).FirstOrDefault();
                var logs = members.Select(m => m.GetProperty("lastLogIndex").GetInt64()).ToArray();
                seen = $"target {target}, logs {string.Join(", ", logs)}";
                if (target is { } committed && logs.All(l => l >= committed))
                {
                    return;
                }
            }
            await Task.Delay(50, cancellationToken);
        }
        throw new TimeoutException($"Not every Dfs master caught up within {timeout}; last seen: {seen}. Logs in {_folder}.");
    }

    private async Task<JsonElement?> StatusAsync(Endpoint endpoint, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.GetFromJsonAsync<JsonElement>(new Uri(endpoint.BaseUri, "raft/status"), cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    public void Kill(int member)
    {
        var process = _processes[member] ?? throw new InvalidOperationException($"m{member + 1} is not running.");
        process.Kill();
        process.WaitForExit(5000);
        _processes[member] = null;
    }

    public Task RestartAsync(int member, CancellationToken cancellationToken)
    {
        StartMember(member);
        return Task.CompletedTask;
    }

    /// <summary>Each member's process id (0 for one not running).</summary>
    public IReadOnlyList<int> ProcessIds() => _processes.Select(p => p?.Id ?? 0).ToArray();

    public IReadOnlyList<long> ResidentBytes() =>
        _processes.Select(p => p is null ? 0 : ProcessTools.ResidentBytes(p.Id)).ToArray();

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes.Where(p => p is not null))
        {
            // SIGTERM first: a master hands leadership over and exits; SIGKILL whatever is left.
            ProcessSignals.Terminate(process!.Id);
        }
        foreach (var process in _processes.Where(p => p is not null))
        {
            if (!process!.WaitForExit(5000))
            {
                process.Kill();
            }
            process.Dispose();
        }
        _http.Dispose();
        await Task.CompletedTask;
    }
}
