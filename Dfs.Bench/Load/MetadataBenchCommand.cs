using System.Diagnostics;
using System.Globalization;
using Dfs.Client.Master;
using Dfs.Client.Metadata;
using Dfs.Common.Configuration;
using Dfs.Raft.Metadata;

namespace Dfs.Bench.Load;

/// <summary>
/// <c>Dfs.Bench metadata [--seconds 10] [--rounds 3] [--clients 16] [--files 1000000] [--dir-files 100000] [--skip ops,directory,memory]</c>:
/// against a whole cluster of processes, each kind of file-system operation per second beside raw key-value puts from as
/// many clients in alternating rounds (<see cref="MetadataOpsLoad"/>), then a directory of <c>dir-files</c> files listed and
/// renamed; then, in this process, what a master holds per file at <c>files</c> one-chunk files (<see cref="MasterMemoryPerFile"/>).
/// </summary>
public static class MetadataBenchCommand
{
    private const int Clients = 16;

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = Option(args, "--seconds", 10);
        var rounds = Option(args, "--rounds", 3);
        var clients = Option(args, "--clients", Clients);
        var files = Option(args, "--files", 1_000_000);
        var dirFiles = Option(args, "--dir-files", 100_000);
        var skip = BenchArgs.Text(args, "--skip")?.Split(',') ?? [];
        if (!skip.Contains("ops") || !skip.Contains("directory"))
        {
            var scratch = Path.Combine(Path.GetTempPath(), $"dfs-metadata-ops-{Environment.ProcessId}");
            await using (var cluster = GatewayCluster.Start(scratch, chunkBytes: 64L << 20, inlineFileBytes: 64 * 1024))
            {
                using var http = new HttpClient { BaseAddress = cluster.BaseAddress };
                await cluster.WaitReadyAsync(http, TimeSpan.FromMinutes(3));
                if (!skip.Contains("ops"))
                {
                    var measured = await MetadataOpsLoad.MeasureAsync(cluster, clients, TimeSpan.FromSeconds(seconds), rounds);
                    PrintMedians(measured);
                }
                if (!skip.Contains("directory"))
                {
                    Console.WriteLine(await MetadataOpsLoad.BigDirectoryAsync(cluster, dirFiles));
                }
            }
        }
        if (!skip.Contains("memory"))
        {
            Console.WriteLine(await MasterMemoryPerFile.MeasureAsync(files));
        }
        return 0;
    }

    private static void PrintMedians(IReadOnlyList<MetadataOpsRound> rounds)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"medians of {rounds.Count} rounds at {rounds[0].Clients} clients, each kind beside raw puts in its round:"));
        foreach (var kind in rounds[0].Figures.Keys)
        {
            var perSecond = Medians.Of(rounds.Select(r => r.Figures[kind].OpsPerSecond));
            var ratio = Medians.Of(rounds.Select(r => r.Figures[kind].OpsPerSecond / r.Figures[MetadataOpsLoad.Puts].OpsPerSecond));
            var p50 = Medians.Of(rounds.Select(r => r.Figures[kind].P50Ms));
            var p99 = Medians.Of(rounds.Select(r => r.Figures[kind].P99Ms));
            var perRound = string.Join(" / ", rounds.Select(r => r.Figures[kind].OpsPerSecond.ToString("F0", CultureInfo.InvariantCulture)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {kind,-42} {perSecond,8:F0}/s  p50 {p50,6:F2} ms  p99 {p99,6:F2} ms  vs raw puts {ratio:F2}  (rounds: {perRound})"));
        }
    }


    /// <summary>
    /// Against three fresh master processes: for each round and each client count, raw key-value puts (100-byte values) and the
    /// metadata mix (each client in turn: mkdir of a new directory, commit of an empty file in it, lookup of that file), each
    /// timed per operation; who goes first alternates by round.
    /// </summary>
    public static async Task<IReadOnlyList<MetadataLoadPoint>> MeasureLoadAsync(IReadOnlyList<int> clientCounts, TimeSpan duration, int rounds)
    {
        var scratch = Path.Combine(Path.GetTempPath(), $"dfs-metadata-bench-{Environment.ProcessId}");
        var points = new List<MetadataLoadPoint>();
        try
        {
            await using var cluster = new DfsKvCluster(scratch, raftPortBase: 17301, apiPortBase: 17401);
            using var start = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await cluster.StartAsync(start.Token);
            await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(60), start.Token);
            var masters = Enumerable.Range(0, 3)
                .Select(i => new MasterNodeConfig { Id = $"m{i + 1}", Host = "127.0.0.1", RaftPort = 17301 + i, ApiPort = 17401 + i })
                .ToArray();
            var clients = Enumerable.Range(0, clientCounts.Max()).Select(_ => new MasterClient(masters)).ToArray();
            try
            {
                for (var round = 1; round <= rounds; round++)
                {
                    foreach (var count in clientCounts)
                    {
                        var r = round;
                        Func<Task<LatencySummary>> puts = async () => (await TimedConcurrentLoad.RunAsync(count, duration, async (worker, n) =>
                            (await clients[worker].PutAsync(System.Text.Encoding.ASCII.GetBytes($"bench/{r}/{count}/{worker}/{n}"), new byte[100])).Status == Dfs.Client.Kv.KvStatus.Ok)).Summary;
                        Func<Task<LatencySummary>> metadata = async () => (await TimedConcurrentLoad.RunAsync(count, duration, async (worker, n) =>
                        {
                            var service = new MetadataClient(clients[worker]);
                            var dir = $"/bench{r}/c{count}/w{worker}/d{n / 3}";
                            switch (n % 3)
                            {
                                case 0: await service.MkdirAsync(dir); break;
                                case 1: await service.CommitAsync(dir + "/f", ExpectedVersion.None, new NewVersion(0, 0, 1, "", [])); break;
                                default: await service.LookupAsync(dir + "/f"); break;
                            }
                            return true;
                        })).Summary;
                        LatencySummary first, second;
                        var putsFirst = round % 2 == 1;
                        first = await (putsFirst ? puts : metadata)();
                        second = await (putsFirst ? metadata : puts)();
                        var point = putsFirst ? new MetadataLoadPoint(round, count, first, second) : new MetadataLoadPoint(round, count, second, first);
                        points.Add(point);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"metadata round {round}, {count} clients: raw KV puts {point.Puts.OpsPerSecond:F0}/s (p50 {point.Puts.P50Ms:F2} ms, p99 {point.Puts.P99Ms:F2} ms, errors {point.Puts.Errors}); metadata ops {point.Metadata.OpsPerSecond:F0}/s (p50 {point.Metadata.P50Ms:F2} ms, p99 {point.Metadata.P99Ms:F2} ms, errors {point.Metadata.Errors})"));
                    }
                }
            }
            finally
            {
                foreach (var client in clients)
                {
                    await client.DisposeAsync();
                }
            }
            return points;
        }
        finally
        {
            try
            {
                Directory.Delete(scratch, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }


    private static int Option(string[] args, string name, int fallback) =>
        int.TryParse(BenchArgs.Text(args, name), CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}

/// <summary>One round at one client count: raw key-value puts beside single metadata operations (mkdir, commit, lookup in turn).</summary>
public sealed record MetadataLoadPoint(int Round, int Clients, LatencySummary Puts, LatencySummary Metadata);
