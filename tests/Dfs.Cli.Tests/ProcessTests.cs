using Dfs.Cli.Tests.Fake;
using Dfs.Testing;
using Dfs.Testing.Processes;

namespace Dfs.Cli.Tests;

/// <summary>The built <c>dfs</c> as a real process (<c>dotnet Dfs.Cli.dll</c>): real stdio pipes, real exit codes.</summary>
public sealed class ProcessTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task PutThenGet_AsProcesses_RoundTripsTheBytes_WithNothingNoisyOnThePipes()
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var dir = TestDirectory.Create("cli-process");
        var data = Bytes.Random((1024 * 1024) + 1, 11);
        await File.WriteAllBytesAsync(dir.Combine("in.bin"), data);

        var (putExit, putOutput) = await RunAsync(["put", dir.Combine("in.bin"), "/p/in.bin", "--gateway", gateway.Url]);
        var (getExit, getOutput) = await RunAsync(["get", "/p/in.bin", dir.Combine("out.bin"), "--gateway", gateway.Url]);

        Assert.True(putExit == ExitCodes.Ok, putOutput);
        Assert.True(getExit == ExitCodes.Ok, getOutput);
        Assert.Equal(data, await File.ReadAllBytesAsync(dir.Combine("out.bin")));
        // Piped stdout and stderr: no progress bars, no escape sequences, nothing at all on success.
        Assert.Equal(string.Empty, putOutput + getOutput);
    }

    [Fact]
    public async Task Help_ListsTheVerbsAndTheExitCodes_AndExitsZero()
    {
        var (exit, output) = await RunAsync(["--help"]);

        Assert.True(exit == ExitCodes.Ok, output);
        foreach (var verb in new[] { "put", "get", "cat", "ls", "mkdir", "mv", "rm", "stat", "versions", "lock", "unlock", "cluster", "health" })
        {
            Assert.Contains($"  {verb} ", output, StringComparison.Ordinal);
        }
        Assert.Contains("Exit codes:", output, StringComparison.Ordinal);
        Assert.Contains("7  local I/O error", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectionRefused_ExitsFive_AndAUsageErrorExitsOne()
    {
        var (refused, refusedOutput) = await RunAsync(["ls", "/", "--gateway", $"http://127.0.0.1:{ExitCodeTests.ClosedPort()}"]);
        var (usage, usageOutput) = await RunAsync(["mv", "/only-one"]);

        Assert.True(refused == ExitCodes.Unavailable, refusedOutput);
        Assert.Contains("Cannot reach the gateway", refusedOutput, StringComparison.Ordinal);
        Assert.True(usage == ExitCodes.Usage, usageOutput);
    }

    [Fact]
    public async Task LsOfAMissingPath_AsAProcess_ExitsTwo_WithTheDetailOnStderr()
    {
        await using var gateway = await FakeGateway.StartAsync();

        var (exit, output) = await RunAsync(["ls", "/nothing/here"], new Dictionary<string, string?> { ["DFS_GATEWAY"] = gateway.Url });

        Assert.True(exit == ExitCodes.NotFound, output);
        Assert.Equal("[stderr] dfs: Nothing exists at /nothing/here.", output.Trim());
    }

    private static async Task<(int Exit, string Output)> RunAsync(string[] args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var env = new Dictionary<string, string?> { ["CI"] = null, ["DFS_GATEWAY"] = null };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            env[key] = value;
        }
        await using var process = NodeProcess.StartDotnetApp(BuiltApp.PathOf("Dfs.Cli"), args, env);
        var exit = await process.WaitForExitAsync(ExitTimeout);
        return (exit, process.GetCapturedOutput());
    }
}
