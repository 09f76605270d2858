using System.Globalization;
using Xunit.Abstractions;

namespace Dfs.Nemesis.Tests;

/// <summary>
/// The nemesis suite on real processes: one network namespace per node, real SIGKILL/SIGSTOP, real link cuts, real
/// corrupt files, real full disks and torn logs, while clients work through the gateway; then the checks.
/// <c>DFS_NEMESIS_SEED</c> replays a seed's fault choices; <c>DFS_NEMESIS_SOAK_MINUTES</c> turns on the long soak.
/// </summary>
public sealed class NemesisTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ShortRun_UnderKillsPausesPartitionsCorruptionFullDisksAndTornLogs_HistoryIsLinearizable_NothingCorruptServed_OneLeaderPerTerm()
    {
        var report = await RunAsync(nameof(ShortRun_UnderKillsPausesPartitionsCorruptionFullDisksAndTornLogs_HistoryIsLinearizable_NothingCorruptServed_OneLeaderPerTerm), TimeSpan.FromSeconds(110));
        Assert.True(report.Faults.Values.Sum() >= 5, $"Too few faults injected to mean anything: {report}");
        Assert.True(report.Operations >= 100, $"Too few operations to mean anything: {report}");
    }

    [Fact]
    public async Task Soak_WhenEnabled_RunsForTheGivenMinutes_WithNoViolation()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable("DFS_NEMESIS_SOAK_MINUTES"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var minutes) || minutes <= 0)
        {
            output.WriteLine("Soak not enabled: set DFS_NEMESIS_SOAK_MINUTES=30 to run it.");
            return;
        }

        await RunAsync(nameof(Soak_WhenEnabled_RunsForTheGivenMinutes_WithNoViolation), TimeSpan.FromMinutes(minutes));
    }

    private async Task<NemesisReport> RunAsync(string name, TimeSpan workload)
    {
        if (NemesisRun.Unsupported() is { } reason)
        {
            Assert.Fail($"The nemesis suite needs Linux network namespaces (run as root with iproute2): {reason}.");
        }

        var seed = int.TryParse(Environment.GetEnvironmentVariable("DFS_NEMESIS_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s)
            ? s
            : Random.Shared.Next(1, 1_000_000);
        var report = await NemesisRun.RunAsync(name, seed, workload, Log);
        Log(report.ToString());
        Assert.True(report.Violations.Count == 0, $"{report}{Environment.NewLine}{string.Join(Environment.NewLine, report.Violations)}");
        return report;

        void Log(string line)
        {
            output.WriteLine(line);
            Console.WriteLine(line);
        }
    }
}
