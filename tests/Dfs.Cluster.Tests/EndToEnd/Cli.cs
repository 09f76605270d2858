using Dfs.Testing.Processes;

namespace Dfs.Cluster.Tests.EndToEnd;

/// <summary>Runs the <c>dfs</c> command line as a process against a gateway, as an operator would.</summary>
internal static class Cli
{
    /// <summary>Runs <c>dotnet Dfs.Cli.dll arguments --gateway url</c> to its end.</summary>
    public static async Task<CliOutcome> RunAsync(Uri gateway, TimeSpan timeout, params string[] arguments)
    {
        string[] all = [.. arguments, "--gateway", gateway.ToString()];
        await using var process = NodeProcess.StartDotnetApp(BuiltApp.PathOf("Dfs.Cli"), all,
            environment: new Dictionary<string, string?> { ["CI"] = "1", ["DFS_GATEWAY"] = null }, name: "dfs", maxLogLines: 100_000);
        var exitCode = await process.WaitForExitAsync(timeout);
        const string Stderr = "[stderr] ";
        var lines = process.GetLogLines();
        return new CliOutcome(
            $"dfs {string.Join(' ', all)}",
            exitCode,
            string.Join('\n', lines.Where(l => !l.StartsWith(Stderr, StringComparison.Ordinal))),
            string.Join('\n', lines.Where(l => l.StartsWith(Stderr, StringComparison.Ordinal)).Select(l => l[Stderr.Length..])));
    }
}

/// <summary>What one <c>dfs</c> run printed and how it ended.</summary>
internal sealed record CliOutcome(string Command, int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"{Command} exited {ExitCode}{Environment.NewLine}stdout: {Stdout}{Environment.NewLine}stderr: {Stderr}";
}
