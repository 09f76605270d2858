using System.Text.Json;
using Dfs.Common.Configuration;
using Dfs.Testing;
using Dfs.Testing.Processes;
using Xunit.Abstractions;

namespace Dfs.Cluster.Tests.EndToEnd;

/// <summary>
/// <c>dfs demo failover --json --rounds 1</c>, run as a process against a cluster the gateway launched (as the README's first
/// command does): the leader is SIGKILLed and a new one elected in a higher term, nothing acknowledged is lost, the dead master
/// is started again through the gateway and rejoins as a follower, and a chunk server is killed and restarted the same way.
/// </summary>
[Collection(nameof(LeaderFailoverProcessTests))]
public sealed class FailoverDemoProcessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan DemoTimeout = TimeSpan.FromMinutes(12);

    [Fact]
    public async Task DemoFailover_AgainstALaunchedCluster_ReportsAHigherTermLeader_NoLostUpload_AndTheDeadMasterBackAsFollower()
    {
        using var directory = TestDirectory.Create(nameof(FailoverDemoProcessTests));
        var ports = FreePorts.Get(11);
        var config = new ClusterConfig
        {
            ChunkSizeBytes = 256 * 1024,
            ElectionTimeoutMs = 300,
            HeartbeatIntervalMs = 60,
            ChunkServerHeartbeatMs = 200,
            ChunkServerDeadMs = 1500,
            Masters = [.. Enumerable.Range(0, 3).Select(i => new MasterNodeConfig { Id = $"m{i + 1}", RaftPort = ports[2 * i], ApiPort = ports[(2 * i) + 1] })],
            // Four chunk servers for a replication factor of three: one can die and its chunks still find a third home.
            ChunkServers = [.. Enumerable.Range(0, 4).Select(i => new ChunkServerNodeConfig { Id = $"c{i + 1}", Port = ports[6 + i] })],
            Gateway = new GatewayConfig { Port = ports[10] },
        };
        var configPath = directory.Combine("config.json");
        config.Save(configPath);
        var gateway = $"http://127.0.0.1:{config.Gateway.Port}";

        await using var launcher = NodeProcess.StartDotnetApp(BuiltApp.PathOf("Dfs.Gateway"), ["--config", configPath], name: "gateway", maxLogLines: 100_000);
        await launcher.WaitForLineAsync(l => l.Contains("Dfs gateway ready", StringComparison.Ordinal), Timeout);

        await using var demo = NodeProcess.StartDotnetApp(BuiltApp.PathOf("Dfs.Cli"),
            ["demo", "failover", "--json", "--rounds", "1", "--writers", "4", "--interval", "250", "--chunked-files", "8", "--gateway", gateway],
            environment: new Dictionary<string, string?> { ["CI"] = "1", ["DFS_GATEWAY"] = null }, name: "dfs", maxLogLines: 100_000);
        var exitCode = await demo.WaitForExitAsync(DemoTimeout);
        const string Stderr = "[stderr] ";
        var lines = demo.GetLogLines();
        var stdout = string.Join('\n', lines.Where(l => !l.StartsWith(Stderr, StringComparison.Ordinal)));
        var stderr = string.Join('\n', lines.Where(l => l.StartsWith(Stderr, StringComparison.Ordinal)));
        output.WriteLine(stdout);
        Assert.True(exitCode == 0, $"dfs demo failover exited {exitCode}{Environment.NewLine}{stdout}{Environment.NewLine}{stderr}{Environment.NewLine}{launcher.GetCapturedOutput()}");

        using var report = JsonDocument.Parse(stdout);
        var root = report.RootElement;
        var round = Assert.Single(root.GetProperty("rounds").EnumerateArray().ToArray());
        Assert.True(round.GetProperty("problem").ValueKind == JsonValueKind.Null, round.ToString());
        var oldLeader = round.GetProperty("oldLeader").GetString();
        var newLeader = round.GetProperty("newLeader").GetString();
        Assert.NotNull(newLeader);
        Assert.NotEqual(oldLeader, newLeader);
        Assert.True(round.GetProperty("newTerm").GetInt64() > round.GetProperty("oldTerm").GetInt64(), round.ToString());
        Assert.True(round.GetProperty("writesResumedAfterMs").GetInt64() > 0, round.ToString());
        Assert.True(round.GetProperty("restarted").GetBoolean(), round.ToString());
        Assert.True(round.GetProperty("rejoinedAsFollower").GetBoolean(), round.ToString());

        var uploads = root.GetProperty("uploads");
        Assert.True(uploads.GetProperty("acknowledged").GetInt32() > 0, uploads.ToString());
        Assert.Equal(0, uploads.GetProperty("lost").GetInt32());
        Assert.Equal(0, uploads.GetProperty("badReadsDuringStream").GetInt32());
        Assert.Equal(uploads.GetProperty("acknowledged").GetInt32(), uploads.GetProperty("verified").GetInt32());
        Assert.Equal(root.GetProperty("medianGapMs").GetDouble(), round.GetProperty("writesResumedAfterMs").GetInt64());

        var chunk = root.GetProperty("chunkServer");
        Assert.True(chunk.GetProperty("problem").ValueKind == JsonValueKind.Null, chunk.ToString());
        Assert.True(chunk.GetProperty("spareServers").GetBoolean(), chunk.ToString());
        Assert.True(chunk.GetProperty("uploadsAcknowledgedWhileDown").GetInt32() > 0, chunk.ToString());
        Assert.True(chunk.GetProperty("restarted").GetBoolean(), chunk.ToString());
        Assert.True(chunk.GetProperty("reReplicatedAfterMs").ValueKind == JsonValueKind.Number, chunk.ToString());
        // The stream's small files live in the masters' records; the 8 files of 1 MiB (4 chunks each here) are what the killed
        // server held, and they were copied to the spare server while it was down. (How many the demo saw under-replicated
        // depends on its 100 ms polls: the copies may all land between two of them.)
        Assert.True(chunk.GetProperty("chunksHeld").GetInt64() > 0, chunk.ToString());
        Assert.True(chunk.GetProperty("reReplicatedWhileDown").GetBoolean(), chunk.ToString());

        // The cluster the demo leaves behind: the master it killed answers again.
        using var http = new HttpClient { BaseAddress = new Uri(gateway) };
        using var cluster = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/cluster", UriKind.Relative)));
        var back = cluster.RootElement.GetProperty("masters").EnumerateArray().Single(m => m.GetProperty("id").GetString() == oldLeader);
        Assert.True(back.GetProperty("healthy").GetBoolean(), back.ToString());

        Assert.Equal(0, await launcher.TerminateAsync(TimeSpan.FromSeconds(30)));
    }
}
