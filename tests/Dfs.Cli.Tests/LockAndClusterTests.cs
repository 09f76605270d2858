using System.Text.Json;
using Dfs.Cli.Tests.Fake;
using Dfs.Testing;

namespace Dfs.Cli.Tests;

/// <summary>lock, unlock, cluster and health against the fake gateway.</summary>
public sealed class LockAndClusterTests
{
    [Fact]
    public async Task Lock_PrintsTheToken_WhichWritesNeedUntilUnlock()
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var dir = TestDirectory.Create("cli");
        var cli = new CliRunner(gateway.Url);
        await File.WriteAllTextAsync(dir.Combine("f"), "v");

        var token = (await cli.RunOkAsync("lock", "/locked.txt", "--owner", "alice", "--ttl", "60")).Out.Trim();
        Assert.Matches("^[0-9a-f]{32}$", token);

        var refused = await cli.RunAsync("put", dir.Combine("f"), "/locked.txt");
        Assert.Equal(ExitCodes.Locked, refused.ExitCode);
        Assert.Contains("locked by alice", refused.Error, StringComparison.Ordinal);
        Assert.Null(await cli.KindAsync("/locked.txt"));

        await cli.RunOkAsync("put", "--token", token, dir.Combine("f"), "/locked.txt");
        await cli.RunOkAsync("unlock", "/locked.txt", "--token", token);
        await cli.RunOkAsync("put", dir.Combine("f"), "/locked.txt");
        Assert.Equal(2, (await cli.StatAsync("/locked.txt"))!.Value.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task Lock_HeldBySomeoneElse_ExitsLocked_AndUnlockWithAWrongTokenIsAConflict()
    {
        await using var gateway = await FakeGateway.StartAsync();
        var cli = new CliRunner(gateway.Url);
        var token = (await cli.RunOkAsync("lock", "/p", "--owner", "alice")).Out.Trim();

        var second = await cli.RunAsync("lock", "/p", "--owner", "bob");
        Assert.Equal(ExitCodes.Locked, second.ExitCode);

        var wrong = await cli.RunAsync("unlock", "/p", "--token", "not-the-token");
        Assert.Equal(ExitCodes.Conflict, wrong.ExitCode);

        await cli.RunOkAsync("unlock", "/p", "--token", token);
        await cli.RunOkAsync("lock", "/p", "--owner", "bob");
    }

    [Fact]
    public async Task LockWithWait_IsGrantedOnceTheHolderReleases()
    {
        await using var gateway = await FakeGateway.StartAsync();
        var cli = new CliRunner(gateway.Url);
        var token = (await cli.RunOkAsync("lock", "/w", "--owner", "alice")).Out.Trim();

        var waiting = cli.RunAsync("lock", "/w", "--owner", "bob", "--wait", "30", "--json");
        using var client = new Dfs.Cli.Gateway.GatewayClient(new Uri(gateway.Url));
        var queue = string.Empty;
        await Eventually.WaitUntilAsync(
            async () => (queue = string.Join(",", (await client.GetLockAsync("/w")).Queue ?? [])).Contains("bob", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            () => $"queue [{queue}]");
        Assert.False(waiting.IsCompleted);
        await cli.RunOkAsync("unlock", "/w", "--token", token);

        var granted = await waiting;
        Assert.True(granted.ExitCode == 0, granted.ToString());
        using var json = JsonDocument.Parse(granted.Out);
        Assert.Equal("bob", json.RootElement.GetProperty("owner").GetString());
        Assert.Equal("/w", json.RootElement.GetProperty("path").GetString());
    }

    [Fact]
    public async Task Cluster_ShowsMastersAndChunkServers_AndItsJsonIsTheGatewaysShape()
    {
        await using var gateway = await FakeGateway.StartAsync();
        var cli = new CliRunner(gateway.Url);

        var text = (await cli.RunOkAsync("cluster")).Out;
        Assert.Contains("leader: m1", text, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:7003", text, StringComparison.Ordinal);
        Assert.Contains("c2", text, StringComparison.Ordinal);
        Assert.Contains("under-replicated chunks 1", text, StringComparison.Ordinal);

        using var json = JsonDocument.Parse((await cli.RunOkAsync("cluster", "--json")).Out);
        Assert.Equal(3, json.RootElement.GetProperty("masters").GetArrayLength());
        Assert.Equal(2, json.RootElement.GetProperty("chunkServers").GetArrayLength());
        Assert.Equal(3, json.RootElement.GetProperty("replicationFactor").GetInt32());
    }

    [Fact]
    public async Task Health_IsZeroWithALeader_AndFiveWithout()
    {
        await using var gateway = await FakeGateway.StartAsync();
        var cli = new CliRunner(gateway.Url);

        var ok = await cli.RunOkAsync("health");
        Assert.Equal("ok (leader m1)", ok.Out.Trim());

        gateway.Unavailable = true;
        var down = await cli.RunAsync("health", "--json");
        Assert.Equal(ExitCodes.Unavailable, down.ExitCode);
        using var json = JsonDocument.Parse(down.Out);
        Assert.Equal("unavailable", json.RootElement.GetProperty("status").GetString());
    }
}
