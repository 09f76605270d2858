using System.Text.Json;
using Dfs.Testing;
using Dfs.Testing.Processes;

namespace Dfs.Cluster.Tests.EndToEnd;

/// <summary>The built <c>dfs</c> command line, run as a process against the gateway of a cluster of real processes.</summary>
public sealed class CliProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Dfs_PutsATreeRecursively_ListsIt_AndGetsItBackByteForByte()
    {
        await using var cluster = await DfsProcessCluster.StartAsync(nameof(Dfs_PutsATreeRecursively_ListsIt_AndGetsItBackByteForByte));
        using var local = TestDirectory.Create(nameof(Dfs_PutsATreeRecursively_ListsIt_AndGetsItBackByteForByte) + "-local");
        await WaitUntilHealthyAsync(cluster);
        var chunk = (int)cluster.Config.ChunkSizeBytes;
        var tree = new Dictionary<string, byte[]>
        {
            ["a.txt"] = "hello, dfs\n"u8.ToArray(),
            ["empty.bin"] = [],
            ["sub/b.bin"] = GatewayRequests.RandomBytes(300 * 1024, seed: 1),
            ["sub/deeper/c.bin"] = GatewayRequests.RandomBytes(2 * chunk + 777, seed: 2),
            ["sub/with space.txt"] = "spaced\n"u8.ToArray(),
            ["sub/é-ü.txt"] = "unicode\n"u8.ToArray(),
        };
        var source = local.Combine("src");
        foreach (var (relative, bytes) in tree)
        {
            var file = Path.Combine(source, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await File.WriteAllBytesAsync(file, bytes);
        }
        Directory.CreateDirectory(Path.Combine(source, "nothing-here"));

        var put = await RunAsync(cluster, "put", source, "/tree", "--json");
        Assert.True(put.ExitCode == 0, put.ToString());
        using (var uploaded = JsonDocument.Parse(put.Stdout))
        {
            var paths = uploaded.RootElement.EnumerateArray().Select(f => f.GetProperty("path").GetString()).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(tree.Keys.Select(k => "/tree/" + k).Order(StringComparer.Ordinal), paths);
        }

        var ls = await RunAsync(cluster, "ls", "-R", "/tree");
        Assert.True(ls.ExitCode == 0, ls.ToString());
        var listed = ls.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            tree.Keys.Select(k => "/tree/" + k).Concat(["/tree/sub/", "/tree/sub/deeper/", "/tree/nothing-here/"]).Order(StringComparer.Ordinal),
            listed.Order(StringComparer.Ordinal));
        // A directory is listed before what it holds.
        Assert.True(Array.IndexOf(listed, "/tree/sub/") < Array.IndexOf(listed, "/tree/sub/deeper/c.bin"), ls.Stdout);

        var lsJson = await RunAsync(cluster, "ls", "-R", "/tree", "--json");
        Assert.True(lsJson.ExitCode == 0, lsJson.ToString());
        using (var entries = JsonDocument.Parse(lsJson.Stdout))
        {
            var files = entries.RootElement.EnumerateArray()
                .Where(e => e.GetProperty("kind").GetString() == "file")
                .ToDictionary(e => e.GetProperty("path").GetString()!, e => e.GetProperty("size").GetInt64());
            Assert.Equal(tree.Count, files.Count);
            foreach (var (relative, bytes) in tree)
            {
                Assert.Equal(bytes.Length, files["/tree/" + relative]);
            }
        }

        var copy = local.Combine("copy");
        var get = await RunAsync(cluster, "get", "/tree", copy);
        Assert.True(get.ExitCode == 0, get.ToString());
        foreach (var (relative, bytes) in tree)
        {
            var file = Path.Combine(copy, relative);
            Assert.True(File.Exists(file), $"{relative} was not downloaded");
            var back = await File.ReadAllBytesAsync(file);
            Assert.True(bytes.AsSpan().SequenceEqual(back), $"{relative}: {GatewayRequests.Difference(bytes, back)}");
        }
        Assert.True(Directory.Exists(Path.Combine(copy, "nothing-here")), "the empty directory was not downloaded");
        Assert.Equal(tree.Count, Directory.EnumerateFiles(copy, "*", SearchOption.AllDirectories).Count());
    }

    [Fact]
    public async Task Dfs_ExitCodes_AgainstARealGateway_NotFound2_Conflict3_Locked4_Unavailable5()
    {
        await using var cluster = await DfsProcessCluster.StartAsync(nameof(Dfs_ExitCodes_AgainstARealGateway_NotFound2_Conflict3_Locked4_Unavailable5));
        using var local = TestDirectory.Create(nameof(Dfs_ExitCodes_AgainstARealGateway_NotFound2_Conflict3_Locked4_Unavailable5) + "-local");
        await WaitUntilHealthyAsync(cluster);
        var file = local.Combine("one.txt");
        await File.WriteAllTextAsync(file, "one\n");
        var put = await RunAsync(cluster, "put", file, "/x/one.txt");
        Assert.True(put.ExitCode == 0, put.ToString());

        // 2: nothing there; the --json error names it.
        var missing = await RunAsync(cluster, "cat", "/x/missing.txt", "--json");
        Assert.True(missing.ExitCode == 2, missing.ToString());
        using (var error = JsonDocument.Parse(missing.Stderr))
        {
            Assert.Equal(2, error.RootElement.GetProperty("exitCode").GetInt32());
        }
        var getMissing = await RunAsync(cluster, "get", "/x/missing.txt", local.Combine("missing.txt"));
        Assert.True(getMissing.ExitCode == 2, getMissing.ToString());
        Assert.False(File.Exists(local.Combine("missing.txt")));

        // 3: a directory over an existing file, and a stale If-Match.
        var mkdir = await RunAsync(cluster, "mkdir", "/x/one.txt");
        Assert.True(mkdir.ExitCode == 3, mkdir.ToString());
        var stale = await RunAsync(cluster, "put", file, "/x/one.txt", "--if-match", "\"00000000\"");
        Assert.True(stale.ExitCode == 3, stale.ToString());

        // 4: locked by another owner; with the token the same upload goes through.
        var lockTaken = await RunAsync(cluster, "lock", "/x/one.txt", "--owner", "alice", "--ttl", "120");
        Assert.True(lockTaken.ExitCode == 0, lockTaken.ToString());
        var token = lockTaken.Stdout.Trim();
        Assert.False(string.IsNullOrEmpty(token), lockTaken.ToString());
        var locked = await RunAsync(cluster, "put", file, "/x/one.txt");
        Assert.True(locked.ExitCode == 4, locked.ToString());
        var withToken = await RunAsync(cluster, "put", file, "/x/one.txt", "--token", token);
        Assert.True(withToken.ExitCode == 0, withToken.ToString());
        var unlock = await RunAsync(cluster, "unlock", "/x/one.txt", "--token", token);
        Assert.True(unlock.ExitCode == 0, unlock.ToString());

        // 5: nothing listens at the address.
        var nowhere = new Uri($"http://127.0.0.1:{FreePorts.Get(1)[0]}/");
        var unreachable = await RunAsync(nowhere, "ls", "/");
        Assert.True(unreachable.ExitCode == 5, unreachable.ToString());
        var health = await RunAsync(nowhere, "health");
        Assert.True(health.ExitCode == 5, health.ToString());
    }

    private static async Task WaitUntilHealthyAsync(DfsProcessCluster cluster)
    {
        using var http = new HttpClient { BaseAddress = cluster.GatewayAddress, Timeout = TimeSpan.FromSeconds(30) };
        await GatewayRequests.WaitUntilWritableAsync(http, cluster, Timeout);
    }

    private static Task<CliRun> RunAsync(DfsProcessCluster cluster, params string[] arguments) => RunAsync(cluster.GatewayAddress, arguments);

    /// <summary>Runs <c>dotnet Dfs.Cli.dll arguments --gateway url</c> to its end.</summary>
    private static async Task<CliRun> RunAsync(Uri gateway, params string[] arguments)
    {
        string[] all = [.. arguments, "--gateway", gateway.ToString()];
        await using var process = NodeProcess.StartDotnetApp(BuiltApp.PathOf("Dfs.Cli"), all,
            environment: new Dictionary<string, string?> { ["CI"] = "1", ["DFS_GATEWAY"] = null }, name: "dfs", maxLogLines: 100_000);
        var exitCode = await process.WaitForExitAsync(Timeout);
        const string Stderr = "[stderr] ";
        var lines = process.GetLogLines();
        return new CliRun(
            $"dfs {string.Join(' ', all)}",
            exitCode,
            string.Join('\n', lines.Where(l => !l.StartsWith(Stderr, StringComparison.Ordinal))),
            string.Join('\n', lines.Where(l => l.StartsWith(Stderr, StringComparison.Ordinal)).Select(l => l[Stderr.Length..])));
    }

    private sealed record CliRun(string Command, int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"{Command} exited {ExitCode}{Environment.NewLine}stdout: {Stdout}{Environment.NewLine}stderr: {Stderr}";
    }
}
