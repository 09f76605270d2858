using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Dfs.Bench.Load;

/// <summary>
/// The three-member etcd peer, started and stopped through the team's peers/etcd-cluster.sh script; a
/// killed member is restarted with the same command line the script uses.
/// </summary>
public sealed class EtcdKvCluster(string scriptPath, string folder) : IKvCluster
{
    private const string InitialCluster = "m1=http://127.0.0.1:23801,m2=http://127.0.0.1:23802,m3=http://127.0.0.1:23803";
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };

    public string Name => "etcd";

    public IReadOnlyList<Endpoint> Endpoints { get; } =
        Enumerable.Range(1, 3).Select(n => new Endpoint("127.0.0.1", 23790 + n)).ToArray();

    public KvProtocol NewProtocol() => new EtcdKvProtocol();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var script = ProcessTools.Start("bash", [scriptPath, "start", folder], Path.Combine(Path.GetTempPath(), "dfs-etcd-script.log"));
        await script.WaitForExitAsync(cancellationToken);
        if (script.ExitCode != 0)
        {
            throw new InvalidOperationException($"{scriptPath} start failed (exit {script.ExitCode}); see {Path.GetTempPath()}dfs-etcd-script.log and {folder}.");
        }
    }

    public async Task<int> WaitForLeaderAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var seen = "";
        while (clock.Elapsed < timeout)
        {
            var statuses = await Task.WhenAll(Endpoints.Select(e => PostAsync(e, "v3/maintenance/status", "{}", cancellationToken)));
            seen = string.Join("; ", statuses.Select((s, i) => $"m{i + 1}: {(s is null ? "down" : "up")}"));
            if (statuses.All(s => s is not null))
            {
                for (var i = 0; i < statuses.Length; i++)
                {
                    var status = statuses[i]!.Value;
                    var self = status.GetProperty("header").GetProperty("member_id").GetString();
                    if (status.TryGetProperty("leader", out var leader) && leader.GetString() == self)
                    {
                        return i;
                    }
                }
            }
            await Task.Delay(50, cancellationToken);
        }
        throw new TimeoutException($"No etcd leader with all three members up within {timeout}; last seen: {seen}.");
    }

    public async Task WaitForCaughtUpAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        // A member's raftIndex is its committed index (a string: the gateway writes 64-bit numbers as strings).
        static long Index(JsonElement status) => long.Parse(status.GetProperty("raftIndex").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var clock = Stopwatch.StartNew();
        long? target = null;
        var seen = "";
        while (clock.Elapsed < timeout)
        {
            var statuses = await Task.WhenAll(Endpoints.Select(e => PostAsync(e, "v3/maintenance/status", "{}", cancellationToken)));
            if (statuses.All(s => s is not null))
            {
                var members = statuses.Select(s => s!.Value).ToArray();
                target ??= members.Where(m => m.TryGetProperty("leader", out var leader) && leader.GetString() == m.GetProperty("header").GetProperty("member_id").GetString())
                    .Select(m => (long?)Index(m)).FirstOrDefault();
                var indexes = members.Select(Index).ToArray();
                seen = $"target {target}, indexes {string.Join(", ", indexes)}";
                if (target is { } committed && indexes.All(i => i >= committed))
                {
                    return;
                }
            }
            await Task.Delay(50, cancellationToken);
        }
        throw new TimeoutException($"Not every etcd member caught up within {timeout}; last seen: {seen}.");
    }

    private async Task<JsonElement?> PostAsync(Endpoint endpoint, string path, string body, CancellationToken cancellationToken)
    {
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await _http.PostAsync(new Uri(endpoint.BaseUri, path), content, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken)).RootElement.Clone();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    /// <summary>The process id of a member, from the pid file the script writes.</summary>
    public int ProcessId(int member) => Pid(member);

    private int Pid(int member) =>
        int.Parse(File.ReadAllText(Path.Combine(folder, $"etcd{member + 1}.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    public void Kill(int member) => ProcessTools.KillPid(Pid(member));

    public Task RestartAsync(int member, CancellationToken cancellationToken)
    {
        var n = member + 1;
        var process = ProcessTools.Start("etcd",
        [
            "--name", $"m{n}", "--data-dir", Path.Combine(folder, n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            "--listen-client-urls", $"http://127.0.0.1:2379{n}", "--advertise-client-urls", $"http://127.0.0.1:2379{n}",
            "--listen-peer-urls", $"http://127.0.0.1:2380{n}", "--initial-advertise-peer-urls", $"http://127.0.0.1:2380{n}",
            "--initial-cluster", InitialCluster, "--initial-cluster-token", "dfs-peer", "--initial-cluster-state", "new",
        ], Path.Combine(folder, $"etcd{n}.log"));
        File.WriteAllText(Path.Combine(folder, $"etcd{n}.pid"), process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Task.CompletedTask;
    }

    public IReadOnlyList<long> ResidentBytes() =>
        Enumerable.Range(0, 3).Select(m => ProcessTools.ResidentBytes(Pid(m))).ToArray();

    public async ValueTask DisposeAsync()
    {
        using var script = ProcessTools.Start("bash", [scriptPath, "stop", folder], Path.Combine(Path.GetTempPath(), "dfs-etcd-script.log"));
        await script.WaitForExitAsync();
        _http.Dispose();
    }
}
