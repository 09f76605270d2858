using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dfs.Testing.Linearizability;
using Dfs.Testing.Nemesis;
using Dfs.Testing.Network;
using Dfs.Testing.Processes;

namespace Dfs.Nemesis.Tests;

/// <summary>What a nemesis run saw: figures and every violation found.</summary>
public sealed record NemesisReport(
    int Seed,
    int Operations,
    IReadOnlyDictionary<string, int> OperationsByResult,
    IReadOnlyDictionary<FaultKind, int> Faults,
    IReadOnlyList<string> Violations,
    string? Inconclusive,
    string? KeptFolder,
    TimeSpan Elapsed)
{
    public override string ToString() =>
        $"seed {Seed}: {Operations} operations ({string.Join(", ", OperationsByResult.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"))}), " +
        $"{Faults.Values.Sum()} faults ({string.Join(", ", Faults.Select(p => $"{p.Key} {p.Value}"))}), {Violations.Count} violations, {Elapsed.TotalSeconds:F0} s" +
        (Inconclusive is null ? "" : $"; inconclusive: {Inconclusive}") + (KeptFolder is null ? "" : $"; history and logs kept in {KeptFolder}");
}

/// <summary>
/// One nemesis run: a cluster with one network namespace per node, the workload in a client namespace, the
/// nemesis injecting faults meanwhile, then a final read-back and the checks.
/// </summary>
public static class NemesisRun
{
    private const int Pairs = 6;

    public static async Task<NemesisReport> RunAsync(string name, int seed, TimeSpan workload, Action<string> log)
    {
        var started = Stopwatch.GetTimestamp();
        log($"nemesis seed {seed} (rerun with DFS_NEMESIS_SEED={seed}), workload {workload.TotalSeconds:F0} s");
        await using var cluster = await NamespacedDfsCluster.StartAsync(name, new NamespacedDfsClusterOptions { ChunkServerDiskBytes = 64L * 1024 * 1024 });
        log($"cluster {cluster.Network.RunId}: " + string.Join(", ", cluster.Network.Nodes.Select(n => $"{n} {cluster.Network.AddressOf(n)}")) + $"; config {cluster.ConfigPath}");
        await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(60));

        var historyPath = Path.Combine(cluster.Folder, "history.jsonl");
        var leadersPath = Path.Combine(cluster.Folder, "leaders.jsonl");
        var masters = string.Join(',', cluster.MasterIds.Zip(cluster.MasterApiAddresses, (id, uri) => $"{id}={uri}"));
        string[] common = ["--gateway", cluster.GatewayAddress.ToString(), "--history", historyPath, "--pairs", Pairs.ToString(CultureInfo.InvariantCulture)];
        var nemesis = new Nemesis(cluster, seed, log);
        var violations = new List<string>();

        await using (var clients = cluster.StartInNamespace("client", "Dfs.Nemesis.Workload",
            [.. common, "--leaders", leadersPath, "--masters", masters, "--seconds", ((int)workload.TotalSeconds).ToString(CultureInfo.InvariantCulture),
             "--clients", "4", "--seed", seed.ToString(CultureInfo.InvariantCulture)]))
        {
            using var stop = new CancellationTokenSource();
            var faults = nemesis.RunAsync(stop.Token);
            var exit = await clients.WaitForExitAsync(workload + TimeSpan.FromMinutes(2));
            await stop.CancelAsync();
            await faults;
            log(clients.GetCapturedOutput().Trim());
            if (exit != 0)
            {
                violations.Add($"the workload exited with {exit}: {clients.GetCapturedOutput()}");
            }
        }

        // Every node runs, linked, with free disk (the nemesis heals each fault before the next); let the cluster settle.
        await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(60));
        await using (var final = cluster.StartInNamespace("client", "Dfs.Nemesis.Workload", [.. common, "--final", "--seconds", "90"]))
        {
            var exit = await final.WaitForExitAsync(TimeSpan.FromMinutes(3));
            log(final.GetCapturedOutput().Trim());
            if (exit != 0)
            {
                violations.Add($"final read-back: some paths never answered: {final.GetCapturedOutput()}");
            }
        }

        var lines = HistoryLine.ReadAll(historyPath);
        var (inconclusive, checkViolations) = Check(lines, LeaderObservation.ReadAll(leadersPath), log);
        violations.AddRange(checkViolations);

        string? kept = null;
        if (violations.Count > 0)
        {
            kept = Path.Combine(Path.GetTempPath(), "dfs-nemesis-failures", $"{cluster.Network.RunId}-seed{seed}");
            cluster.SaveLogsTo(kept);
            File.Copy(historyPath, Path.Combine(kept, "history.jsonl"), overwrite: true);
            if (File.Exists(leadersPath))
            {
                File.Copy(leadersPath, Path.Combine(kept, "leaders.jsonl"), overwrite: true);
            }

            File.WriteAllLines(Path.Combine(kept, "faults.txt"), nemesis.Faults);
            File.WriteAllLines(Path.Combine(kept, "violations.txt"), violations);
            log($"VIOLATIONS: history, leaders, faults and node logs kept in {kept}");
            foreach (var violation in violations)
            {
                log("  " + violation);
            }
        }

        return new NemesisReport(seed, lines.Count, lines.GroupBy(l => $"{l.Op}:{l.Result}" + (l.Result is "fail" or "unknown" ? $"({l.Status?.ToString(CultureInfo.InvariantCulture) ?? "no answer"})" : "")).ToDictionary(g => g.Key, g => g.Count()),
            nemesis.Counts, violations, inconclusive, kept, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>The checks: linearizability per pair of paths, no byte served that nobody wrote, one leader per term.</summary>
    public static (string? Inconclusive, List<string> Violations) Check(IReadOnlyList<HistoryLine> lines, IReadOnlyList<LeaderObservation> leaders, Action<string> log)
    {
        var violations = new List<string>();
        var written = lines.Where(l => l.Op == "write").Select(l => l.Value).ToHashSet(StringComparer.Ordinal);
        foreach (var read in lines.Where(l => l.Op == "read" && l.Result == "ok" && !written.Contains(l.Value)))
        {
            violations.Add($"corrupt bytes served: client {read.Client} read {FileClientPath(read)} with hash {read.Value}, which no client wrote (at t={read.Start})");
        }

        foreach (var claim in LeaderObservation.TwoLeadersInOneTerm(leaders))
        {
            violations.Add($"two leaders in one term: {claim}");
        }

        log($"leader observations: {leaders.Count}, terms seen: {leaders.Select(o => o.Term).Distinct().Count()}");

        var operations = lines.Select(l => l.ToOperation()).OfType<Operation<FileInput, FileOutput>>().ToList();
        var result = LinearizabilityChecker.Check(FilePairModel.Instance, operations, TimeSpan.FromMinutes(3));
        log($"linearizability: {result}");
        string? inconclusive = null;
        if (result.Outcome == LinearizabilityOutcome.Illegal)
        {
            var text = new StringBuilder($"not linearizable: {result.Explanation}");
            if (result.Unplaced is { } unplaced)
            {
                var pair = unplaced.Input.Pair;
                text.AppendLine().AppendLine($"history of pair {pair} (start, end, client, op, result):");
                foreach (var line in lines.Where(l => l.Pair == pair && l.Op is not ("lock" or "unlock")).OrderBy(l => l.Start))
                {
                    text.AppendLine($"  {line.Start} {line.End?.ToString(CultureInfo.InvariantCulture) ?? "never"} c{line.Client} {line.Op}({line.Side}{(line.Op == "write" ? ", " + line.Value : "")}) -> {line.Result} {line.Value} {line.Status}");
                }
            }

            violations.Add(text.ToString());
        }
        else if (result.Outcome == LinearizabilityOutcome.Unknown)
        {
            inconclusive = result.Explanation;
        }

        return (inconclusive, violations);
    }

    /// <summary>Why this machine cannot run the suite, or null.</summary>
    public static string? Unsupported() => NetworkNamespaces.Unsupported();

    private static string FileClientPath(HistoryLine line) => $"nemesis/p{line.Pair}/{(line.Side == 0 ? "a" : "b")}.bin";
}
