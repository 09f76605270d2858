using System.Text.Json;
using Dfs.Common.Configuration;
using Dfs.Testing;
using Dfs.Testing.Processes;

namespace Dfs.Raft.Tests.Processes;

/// <summary>
/// Three real master processes on loopback ports chosen by the OS, with their data in a test folder; members
/// can be SIGKILLed and restarted from their files. Disposing kills whatever still runs.
/// </summary>
internal sealed class MasterProcessCluster : IAsyncDisposable
{
    private readonly TestDirectory _directory;
    private readonly string _configPath;
    private readonly Dictionary<string, NodeProcess> _running = [];
    private readonly MasterStatusProbe _probe;

    /// <param name="consensus">The masters' consensus backend, as config.json names it (<see cref="ConsensusBackends"/>).</param>
    /// <param name="configure">Adjusts the config before it is saved (a small snapshot threshold, say).</param>
    public MasterProcessCluster(string name, string consensus = ConsensusBackends.Dfs, Func<ClusterConfig, ClusterConfig>? configure = null)
    {
        _directory = TestDirectory.Create($"{name}-{consensus}");
        var ports = FreePorts.Get(9);
        Config = new ClusterConfig
        {
            DataDir = "data",
            Masters = Enumerable.Range(0, 3).Select(i => new MasterNodeConfig
            {
                Id = $"m{i + 1}",
                Host = "127.0.0.1",
                RaftPort = ports[3 * i],
                ApiPort = ports[3 * i + 1],
                ConsensusPort = consensus == ConsensusBackends.DotNext ? ports[3 * i + 2] : null,
            }).ToArray(),
            Consensus = consensus,
            Gateway = new GatewayConfig { Port = 0 },
        };
        Config = configure?.Invoke(Config) ?? Config;
        _configPath = _directory.Combine("config.json");
        Config.Save(_configPath);
        _probe = new MasterStatusProbe(Config);
    }

    public ClusterConfig Config { get; }

    public IEnumerable<string> Ids => Config.Masters.Select(m => m.Id);

    public async Task StartAsync()
    {
        foreach (var id in Ids)
        {
            Start(id);
        }
        await Task.WhenAll(Ids.Select(WaitReadyAsync));
    }

    public void Start(string id) =>
        _running[id] = NodeProcess.StartDotnetApp(BuiltApp.PathOf("Dfs.Raft"), ["--config", _configPath, "--id", id], name: id);

    public Task WaitReadyAsync(string id) =>
        _running[id].WaitForLineAsync(l => l.Contains($"master {id} ready", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

    public async Task RestartAsync(string id)
    {
        Start(id);
        await WaitReadyAsync(id);
    }

    /// <summary>SIGKILL by the process's own handle: no graceful shutdown, unsynced state is lost.</summary>
    public async Task KillAsync(string id)
    {
        var process = _running[id];
        process.Kill();
        await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await process.DisposeAsync();
        _running.Remove(id);
    }

    /// <summary>Waits until every running member agrees on one leader and returns its id.</summary>
    public Task<string> WaitForLeaderAsync(TimeSpan timeout) => _probe.WaitForLeaderAsync(() => _running.Keys, timeout);

    /// <summary>Master <paramref name="id"/>'s <c>/raft/status</c>, or null if it does not answer.</summary>
    public Task<JsonElement?> StatusAsync(string id, CancellationToken cancellationToken) => _probe.StatusAsync(id, cancellationToken);

    /// <summary>SIGTERM by the process's own handle; returns its exit code. Its output stays readable as <see cref="LastOutput"/>.</summary>
    public async Task<int> TerminateAsync(string id)
    {
        var process = _running[id];
        var exitCode = await process.TerminateAsync(TimeSpan.FromSeconds(15));
        LastOutput = process.GetCapturedOutput();
        await process.DisposeAsync();
        _running.Remove(id);
        return exitCode;
    }

    /// <summary>The output of the member last stopped with <see cref="TerminateAsync"/>.</summary>
    public string LastOutput { get; private set; } = "";

    public string Logs(string id) => _running.TryGetValue(id, out var p) ? p.GetCapturedOutput() : "(not running)";

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _running.Values)
        {
            await process.DisposeAsync();
        }
        _running.Clear();
        _probe.Dispose();
        _directory.Dispose();
    }
}
