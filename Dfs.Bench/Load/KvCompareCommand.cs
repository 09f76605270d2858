using System.Globalization;
using System.Text;
using Dfs.Common.Configuration;

namespace Dfs.Bench.Load;

/// <summary>
/// <c>Dfs.Bench kv-compare</c>: the same key-value workload against three Dfs masters and a three-member
/// etcd in one run — puts of fixed-size values to distinct keys, then linearizable gets, at several
/// connection counts, each phase sent to the system's leader and run back to back on both systems — then the
/// leader-failover gap of each.
/// </summary>
public static class KvCompareCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = Options.Parse(args);
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        var (results, failovers, memory) = await MeasureAsync(options, cancel.Token);
        var report = Summarize(options, results, failovers, memory);
        Console.WriteLine();
        Console.WriteLine(report);
        var reportPath = Path.Combine(Directory.GetCurrentDirectory(), "BenchmarkDotNet.Artifacts", $"kv-compare-{DateTime.UtcNow:yyyyMMdd-HHmmss}.md");
        Directory.CreateDirectory(Path.GetDirectoryName(reportPath)!);
        await File.WriteAllTextAsync(reportPath, report);
        Console.WriteLine($"Report written to {reportPath}");
        return 0;
    }

    /// <summary>One round: every system started, each (connections, phase) cell run back to back on every system in the order given, then the failover gaps.</summary>
    public static async Task<KvCompareResults> MeasureAsync(Options options, CancellationToken cancellationToken)
    {
        var results = new List<(string System, string Phase, int Connections, LatencySummary Summary)>();
        var failovers = new Dictionary<string, IReadOnlyList<TimeSpan>>();
        var memory = new Dictionary<string, IReadOnlyList<long>>();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var scratch = Path.Combine(Path.GetTempPath(), $"dfs-kv-compare-{Environment.ProcessId}");

        // Both clusters stay up and each (connections, phase) cell runs back to back on every system, so the
        // systems see the same machine conditions; an idle cluster costs the other next to nothing.
        var clusters = new List<IKvCluster>();
        try
        {
            foreach (var system in options.Systems)
            {
                IKvCluster cluster = system switch
                {
                    "dfs" => new DfsKvCluster(Path.Combine(scratch, "dfs")),
                    // The same masters on DotNext's Raft; its peers talk on raftPort + 1000.
                    "dotnext" => new DfsKvCluster(Path.Combine(scratch, "dotnext"), ConsensusBackends.DotNext, raftPortBase: 17201, apiPortBase: 17301),
                    "etcd" => new EtcdKvCluster(options.EtcdScript ?? throw new InvalidOperationException(
                        "Cannot find peers/etcd-cluster.sh; pass --etcd-script PATH."), Path.Combine(scratch, "etcd")),
                    _ => throw new ArgumentException($"Unknown system '{system}'; use dfs, dotnext or etcd."),
                };
                clusters.Add(cluster);
                Console.WriteLine($"== {system}: starting");
                await cluster.StartAsync(cancel.Token);
            }
            foreach (var connections in options.Connections)
            {
                var written = new Dictionary<string, int[]>();
                foreach (var cluster in clusters)
                {
                    var leader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30), cancel.Token);
                    var runner = new KvLoadRunner(cluster.NewProtocol, cluster.Endpoints[leader], options.ValueSize);
                    var (puts, keys) = await runner.RunPutsAsync($"{cluster.Name}{connections}", connections, options.Duration, cancel.Token);
                    written[cluster.Name] = keys;
                    Report(cluster.Name, "put", connections, puts);
                    results.Add((cluster.Name, "put", connections, puts));
                }
                foreach (var cluster in clusters)
                {
                    var leader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30), cancel.Token);
                    var runner = new KvLoadRunner(cluster.NewProtocol, cluster.Endpoints[leader], options.ValueSize);
                    var gets = await runner.RunGetsAsync($"{cluster.Name}{connections}", written[cluster.Name], options.Duration, cancel.Token);
                    Report(cluster.Name, "get", connections, gets);
                    results.Add((cluster.Name, "get", connections, gets));
                }
            }
            foreach (var cluster in clusters)
            {
                memory[cluster.Name] = cluster.ResidentBytes();
            }
            if (options.FailoverRounds > 0)
            {
                foreach (var cluster in clusters)
                {
                    var gaps = await new FailoverProbe(cluster).MeasureAsync(options.FailoverRounds, cancel.Token);
                    failovers[cluster.Name] = gaps;
                    Console.WriteLine($"   {cluster.Name} failover gaps (ms): {string.Join(", ", gaps.Select(g => g.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)))}");
                }
            }
        }
        finally
        {
            foreach (var cluster in clusters)
            {
                await cluster.DisposeAsync();
            }
        }
        return new KvCompareResults(results, failovers, memory);
    }

    private static void Report(string system, string phase, int connections, LatencySummary s) =>
        Console.WriteLine(FormattableString.Invariant(
            $"   {system,-4} {phase} c={connections,-3} {s.OpsPerSecond,9:F0} ops/s  p50 {s.P50Ms,6:F2} ms  p99 {s.P99Ms,6:F2} ms  errors {s.Errors}  client CPU {s.ClientCpuPercent:F0}%"));

    internal static string Summarize(Options options, IReadOnlyList<(string System, string Phase, int Connections, LatencySummary Summary)> results,
        IReadOnlyDictionary<string, IReadOnlyList<TimeSpan>> failovers, IReadOnlyDictionary<string, IReadOnlyList<long>> memory)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# kv-compare: {options.ValueSize}-byte values, {options.Duration.TotalSeconds:F0} s per phase, HTTP/1.1 keep-alive, to each leader");
        text.AppendLine();
        // One column group per system in the order run, and each system's throughput as a ratio to etcd's, measured in the same run.
        var systems = results.Select(r => r.System).Distinct().ToList();
        var compared = systems.Where(s => s != "etcd" && systems.Contains("etcd")).ToList();
        text.AppendLine("| phase | conns | " + string.Join(" | ", systems.Select(s => $"{s} ops/s | {s} p50 ms | {s} p99 ms"))
            + string.Concat(compared.Select(s => $" | {s}/etcd")) + " | client CPU (" + string.Join(", ", systems) + ") |");
        text.AppendLine("|---|---|" + string.Concat(Enumerable.Repeat("---|", 3 * systems.Count + compared.Count + 1)));
        foreach (var group in results.GroupBy(r => (r.Phase, r.Connections)))
        {
            LatencySummary? Of(string system) => group.FirstOrDefault(r => r.System == system).Summary;
            string Cell(LatencySummary? s, Func<LatencySummary, double> f, string format) => s is null ? "-" : f(s).ToString(format, CultureInfo.InvariantCulture);
            string Ratio(string system) => Of(system) is { } a && Of("etcd") is { } e ? (a.OpsPerSecond / e.OpsPerSecond).ToString("F2", CultureInfo.InvariantCulture) + "x" : "-";
            text.AppendLine(
                FormattableString.Invariant($"| {group.Key.Phase} | {group.Key.Connections} | ")
                + string.Join(" | ", systems.Select(s => $"{Cell(Of(s), x => x.OpsPerSecond, "F0")} | {Cell(Of(s), x => x.P50Ms, "F2")} | {Cell(Of(s), x => x.P99Ms, "F2")}"))
                + string.Concat(compared.Select(s => $" | {Ratio(s)}"))
                + " | " + string.Join(", ", systems.Select(s => Cell(Of(s), x => x.ClientCpuPercent, "F0") + "%")) + " |");
        }
        if (failovers.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("| system | failover gaps, SIGKILL of leader → first acknowledged put (ms) | median |");
            text.AppendLine("|---|---|---|");
            foreach (var (system, gaps) in failovers)
            {
                var sorted = gaps.OrderBy(g => g).ToArray();
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {system} | {string.Join(", ", gaps.Select(g => g.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)))} | {sorted[sorted.Length / 2].TotalMilliseconds:F0} |");
            }
        }
        text.AppendLine();
        foreach (var (system, rss) in memory)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {system} resident memory after the load: {string.Join(", ", rss.Select(b => $"{b / (1024 * 1024)} MiB"))}");
        }
        return text.ToString();
    }

    public sealed record Options(string[] Systems, int[] Connections, TimeSpan Duration, int ValueSize, int FailoverRounds, string? EtcdScript)
    {
        public static Options Parse(string[] args)
        {
            string[] systems = ["etcd", "dfs", "dotnext"];
            int[] connections = [1, 16, 64];
            var seconds = 20;
            var valueSize = 256;
            var rounds = 5;
            var script = ProcessTools.FindUpwards(Path.Combine("shared", "peers", "etcd-cluster.sh"))
                ?? ProcessTools.FindUpwards(Path.Combine("..", "shared", "peers", "etcd-cluster.sh"));
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--systems": systems = Next().Split(','); break;
                    case "--connections": connections = Next().Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray(); break;
                    case "--seconds": seconds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--value-size": valueSize = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--failover-rounds": rounds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--etcd-script": script = Path.GetFullPath(Next()); break;
                    default: throw new ArgumentException($"Unknown option {args[i]}. Options: --systems etcd,dfs,dotnext --connections 1,16,64 --seconds 20 --value-size 256 --failover-rounds 5 --etcd-script PATH");
                }
            }
            return new Options(systems, connections, TimeSpan.FromSeconds(seconds), valueSize, rounds, script);
        }
    }
}

/// <summary>One kv-compare round: each (system, phase, connections) cell, each system's failover gaps and its members' resident memory after the load.</summary>
public sealed record KvCompareResults(
    IReadOnlyList<(string System, string Phase, int Connections, LatencySummary Summary)> Cells,
    IReadOnlyDictionary<string, IReadOnlyList<TimeSpan>> Failovers,
    IReadOnlyDictionary<string, IReadOnlyList<long>> Memory);
