using System.Diagnostics;
using System.Text.Json;
using Dfs.Common.Configuration;
using Dfs.Testing;
using Dfs.Testing.Processes;

namespace Dfs.Cluster.Tests.EndToEnd;

/// <summary>The one command: the gateway starts every node of the config as a child process, says ready, and stops them all.</summary>
public sealed class LauncherProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Gateway_LaunchesTheWholeCluster_IsReadyForCurl_StopsEveryChildOnSigterm_AndASecondStartKeepsTheData()
    {
        using var directory = TestDirectory.Create(nameof(LauncherProcessTests));
        var ports = FreePorts.Get(10);
        var config = new ClusterConfig
        {
            ChunkSizeBytes = 256 * 1024,
            ElectionTimeoutMs = 300,
            HeartbeatIntervalMs = 60,
            ChunkServerHeartbeatMs = 200,
            ChunkServerDeadMs = 1500,
            Masters = Enumerable.Range(0, 3).Select(i => new MasterNodeConfig { Id = $"m{i + 1}", RaftPort = ports[2 * i], ApiPort = ports[2 * i + 1] }).ToArray(),
            ChunkServers = Enumerable.Range(0, 3).Select(i => new ChunkServerNodeConfig { Id = $"c{i + 1}", Port = ports[6 + i] }).ToArray(),
            Gateway = new GatewayConfig { Port = ports[9] },
        };
        var configPath = directory.Combine("config.json");
        config.Save(configPath);
        var gateway = $"http://127.0.0.1:{config.Gateway.Port}";
        var local = directory.Combine("hello.bin");
        var data = new byte[700_000];
        new Random(5).NextBytes(data);
        await File.WriteAllBytesAsync(local, data);

        int[] children;
        await using (var first = NodeProcess.StartDotnetApp(BuiltApp.PathOf("Dfs.Gateway"), ["--config", configPath], name: "gateway"))
        {
            var ready = await first.WaitForLineAsync(l => l.Contains("Dfs gateway ready", StringComparison.Ordinal), Timeout);
            Assert.Contains("3 chunk servers", ready, StringComparison.Ordinal);

            Assert.Equal("", await CurlAsync("-sSf", "-T", local, $"{gateway}/api/files/tour/hello.bin", "-o", "/dev/null"));
            await CurlAsync("-sSf", $"{gateway}/api/files/tour/hello.bin", "-o", directory.Combine("back.bin"));
            Assert.Equal(data, await File.ReadAllBytesAsync(directory.Combine("back.bin")));

            using var cluster = JsonDocument.Parse(await CurlAsync("-sSf", $"{gateway}/api/cluster"));
            children = cluster.RootElement.GetProperty("masters").EnumerateArray()
                .Concat(cluster.RootElement.GetProperty("chunkServers").EnumerateArray())
                .Select(n => n.GetProperty("pid").GetInt32())
                .ToArray();
            Assert.Equal(6, children.Length);
            Assert.All(children, pid => Assert.True(IsAlive(pid), $"child {pid} runs"));

            Assert.Equal(0, await first.TerminateAsync(TimeSpan.FromSeconds(30)));
        }
        Assert.All(children, pid => Assert.False(IsAlive(pid), $"child {pid} was stopped with the gateway"));

        await using var second = NodeProcess.StartDotnetApp(BuiltApp.PathOf("Dfs.Gateway"), ["--config", configPath], name: "gateway-again");
        await second.WaitForLineAsync(l => l.Contains("Dfs gateway ready", StringComparison.Ordinal), Timeout);
        await CurlAsync("-sSf", $"{gateway}/api/files/tour/hello.bin", "-o", directory.Combine("again.bin"));
        Assert.Equal(data, await File.ReadAllBytesAsync(directory.Combine("again.bin")));
        Assert.Equal(0, await second.TerminateAsync(TimeSpan.FromSeconds(30)));
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static async Task<string> CurlAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var curl = Process.Start(start)!;
        var output = curl.StandardOutput.ReadToEndAsync();
        var error = curl.StandardError.ReadToEndAsync();
        await curl.WaitForExitAsync();
        Assert.True(curl.ExitCode == 0, $"curl {string.Join(' ', arguments)} exited {curl.ExitCode}: {await error}");
        return await output;
    }
}
