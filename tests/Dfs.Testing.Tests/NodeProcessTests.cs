using Dfs.Testing.Processes;

namespace Dfs.Testing.Tests;

public sealed class NodeProcessTests
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(20);

    private static NodeProcess StartTestApp(params string[] args) =>
        NodeProcess.StartDotnetApp(
            BuiltApp.PathOf("Dfs.Testing.TestApp"),
            args,
            new Dictionary<string, string?> { ["DFS_TEST_GREETING"] = "hello" });

    [Fact]
    public void BuiltApp_FindsReferencedAppBesideTestAssembly_WithItsRuntimeConfig()
    {
        var path = BuiltApp.PathOf("Dfs.Testing.TestApp");

        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "Dfs.Testing.TestApp.dll"), path);
        Assert.True(File.Exists(Path.ChangeExtension(path, ".runtimeconfig.json")));
    }

    [Fact]
    public void BuiltApp_ForUnknownApp_ThrowsWithAdvice()
    {
        var error = Assert.Throws<FileNotFoundException>(() => BuiltApp.PathOf("Dfs.NoSuchApp"));

        Assert.Contains("ProjectReference", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartedApp_PrintsReadyLine_WithEnvironmentOverride_AndItsOwnPid()
    {
        await using var node = StartTestApp("serve");

        var line = await node.WaitForLineAsync(l => l.StartsWith("ready", StringComparison.Ordinal), Bounded);

        Assert.Equal($"ready pid={node.Pid} greeting=hello", line);
        Assert.False(node.HasExited);
        // stdout and stderr are read by two readers: the app's earlier stderr line may still be on its way.
        await Eventually.WaitUntilAsync(() => node.GetLogLines().Contains("[stderr] starting"), Bounded,
            () => string.Join(" | ", node.GetLogLines()), "the app's stderr line in the log");
    }

    [Fact]
    public async Task OnLine_ReceivesEveryLine_InOrder()
    {
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var node = NodeProcess.StartDotnetApp(BuiltApp.PathOf("Dfs.Testing.TestApp"), ["lines", "20"], onLine: seen.Enqueue);

        Assert.Equal(0, await node.WaitForExitAsync(Bounded));

        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"line {i}"), seen);
    }

    [Fact]
    public async Task Kill_EndsProcessWithSigkill()
    {
        await using var node = StartTestApp("serve");
        await node.WaitForLineAsync(l => l.StartsWith("ready", StringComparison.Ordinal), Bounded);

        node.Kill();
        var exitCode = await node.WaitForExitAsync(Bounded);

        Assert.Equal(128 + 9, exitCode);
        Assert.DoesNotContain("stopping on SIGTERM", node.GetLogLines());
    }

    [Fact]
    public async Task Terminate_SendsSigterm_AndAppShutsDownInOrder()
    {
        await using var node = StartTestApp("serve");
        await node.WaitForLineAsync(l => l.StartsWith("ready", StringComparison.Ordinal), Bounded);

        var exitCode = await node.TerminateAsync(Bounded);

        Assert.Equal(0, exitCode);
        Assert.Contains("stopping on SIGTERM", node.GetLogLines());
    }

    [Fact]
    public async Task WaitForLine_WhenProcessExitsFirst_FailsWithExitCodeAndOutput()
    {
        await using var node = StartTestApp("exit", "3");

        var error = await Assert.ThrowsAsync<WaitTimeoutException>(() =>
            node.WaitForLineAsync(l => l == "never printed", Bounded, "the never line"));

        Assert.Contains("exited with code 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("exiting", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForLine_OnTimeout_ReportsCapturedOutput()
    {
        await using var node = StartTestApp("serve");
        await node.WaitForLineAsync(l => l.StartsWith("ready", StringComparison.Ordinal), Bounded);

        var error = await Assert.ThrowsAsync<WaitTimeoutException>(() =>
            node.WaitForLineAsync(l => l == "never printed", TimeSpan.FromMilliseconds(100), "the never line"));

        Assert.Contains("did not print the never line", error.Message, StringComparison.Ordinal);
        Assert.Contains("still running", error.Message, StringComparison.Ordinal);
        Assert.Contains("greeting=hello", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Log_IsBounded_ButCountsEveryLine()
    {
        await using var node = NodeProcess.StartDotnetApp(BuiltApp.PathOf("Dfs.Testing.TestApp"), ["lines", "300"], maxLogLines: 50);

        Assert.Equal(0, await node.WaitForExitAsync(Bounded));

        var lines = node.GetLogLines();
        Assert.Equal(50, lines.Count);
        Assert.Equal("line 250", lines[0]);
        Assert.Equal("line 299", lines[^1]);
        Assert.Equal(300, node.LinesSeen);
        Assert.Contains("250 earlier lines dropped", node.GetCapturedOutput(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForLine_FindsLinePrintedBeforeTheCall()
    {
        await using var node = NodeProcess.StartDotnetApp(BuiltApp.PathOf("Dfs.Testing.TestApp"), ["lines", "3"]);
        await node.WaitForExitAsync(Bounded);

        var line = await node.WaitForLineAsync(l => l == "line 1", TimeSpan.FromMilliseconds(100));

        Assert.Equal("line 1", line);
    }

    [Fact]
    public async Task PausedProcess_DoesNotRespondToSigterm_UntilResumed()
    {
        await using var node = StartTestApp("serve");
        await node.WaitForLineAsync(l => l.StartsWith("ready", StringComparison.Ordinal), Bounded);

        node.Pause();
        await Assert.ThrowsAsync<WaitTimeoutException>(() => node.TerminateAsync(TimeSpan.FromMilliseconds(300)));
        Assert.False(node.HasExited);
        node.Resume();

        Assert.Equal(0, await node.WaitForExitAsync(Bounded));
    }

    [Fact]
    public async Task DisposeAsync_KillsARunningProcess()
    {
        var node = StartTestApp("serve");
        await node.WaitForLineAsync(l => l.StartsWith("ready", StringComparison.Ordinal), Bounded);
        var pid = node.Pid;

        await node.DisposeAsync();

        Assert.False(IsAlive(pid), $"pid {pid} still runs after dispose");
    }

    [Fact]
    public async Task Signal_AfterExit_ReturnsFalse()
    {
        await using var node = NodeProcess.Start("/bin/sh", ["-c", "exit 0"]);
        await node.WaitForExitAsync(Bounded);

        Assert.False(node.Signal(15));
    }

    [Fact]
    public async Task Kill_AlsoKillsTheChildrenOfTheProcess()
    {
        await using var node = NodeProcess.Start("/bin/sh", ["-c", "sleep 60 & echo child $!; wait"]);
        var line = await node.WaitForLineAsync(l => l.StartsWith("child ", StringComparison.Ordinal), Bounded);
        var childPid = int.Parse(line["child ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(IsAlive(childPid), $"child {childPid} runs before the kill");

        node.Kill();
        await node.WaitForExitAsync(Bounded);

        await Eventually.WaitUntilAsync(() => !IsAlive(childPid), Bounded, () => $"child {childPid} state: {ProcessState(childPid)}");
    }

    // A killed grandchild may linger as a zombie until its new parent reaps it; a zombie runs no code.
    private static bool IsAlive(int pid) => ProcessState(pid) is { } state && state != 'Z' && state != 'X';

    private static char? ProcessState(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0];
        }
        catch (IOException)
        {
            return null;
        }
    }
}
