using System.Diagnostics;
using System.Globalization;
using Dfs.Bench.Load;
using Dfs.Client.Chunks;

namespace Dfs.Bench.Report;

/// <summary>
/// The gateway's figures against concurrency, on one whole cluster started by the gateway (three masters, three chunk servers,
/// replication 3, 64 MiB chunks), with <see cref="GatewayLoad.Bench"/>'s operations: N uploads at once beside N bare chunk
/// pipeline writes of the same bytes, N downloads beside N bare chunk reads, and 4 KiB files per second at N clients beside
/// raw key-value puts at N callers, then 4 KiB reads. Who goes first alternates by round.
/// </summary>
internal static class GatewayReport
{
    public static async Task<IReadOnlyList<GatewayPoint>> MeasureAsync(string root, int rounds, long fileBytes,
        IReadOnlyList<int> concurrencies, IReadOnlyList<int> smallClients, TimeSpan smallDuration)
    {
        var points = new List<GatewayPoint>();
        var mib = (int)(fileBytes / (1024 * 1024));
        var options = new GatewayLoad.Options(rounds, mib, (int)Math.Max(1, smallDuration.TotalSeconds), 16, null, 1024, GatewayLoad.SmallFileBytes, 0);
        using var http = GatewayLoad.CreateHttpClient();
        await using var cluster = GatewayCluster.Start(root, GatewayLoad.ChunkBytes, 64 * 1024);
        http.BaseAddress = cluster.BaseAddress;
        await cluster.WaitReadyAsync(http, TimeSpan.FromMinutes(3));
        var bench = new GatewayLoad.Bench(options, cluster, http);
        await using (bench.Master)
        {
            await bench.WarmUpAsync();
            for (var round = 1; round <= rounds; round++)
            {
                var gatewayFirst = round % 2 == 1;
                foreach (var n in concurrencies)
                {
                    var paths = Enumerable.Range(0, n).Select(i => $"bench/report-r{round}-n{n}/f{i}.bin").ToArray();
                    var ids = new IReadOnlyList<ChunkId>[n];
                    var total = fileBytes * n;
                    var (upload, bareWrite) = await PairAsync(gatewayFirst,
                        () => Task.WhenAll(paths.Select(p => Task.Run(() => bench.UploadAsync(p, fileBytes)))),
                        () => Task.WhenAll(Enumerable.Range(0, n).Select(i => Task.Run(async () => ids[i] = await bench.BareWriteAsync(fileBytes)))));
                    var (download, bareRead) = await PairAsync(gatewayFirst,
                        () => Task.WhenAll(paths.Select(p => Task.Run(() => bench.DownloadAsync(p, fileBytes)))),
                        () => Task.WhenAll(ids.Select(i => Task.Run(() => bench.BareReadAsync(i)))));
                    // The second read reference: the same chunks over the chunk servers' connections, one socket as a download's bytes cross.
                    var bareRemoteRead = await TimeAsync(() => Task.WhenAll(ids.Select(i => Task.Run(() => bench.BareRemoteReadAsync(i)))));
                    foreach (var path in paths)
                    {
                        await bench.DeleteFileAsync(path);
                    }
                    await bench.DeleteChunksAsync([.. ids.SelectMany(i => i)]);
                    var point = new GatewayPoint(round, "transfer", n, Rate(total, upload), Rate(total, bareWrite), Rate(total, download), Rate(total, bareRead),
                        Rate(total, bareRemoteRead), null, null, null);
                    points.Add(point);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"gateway round {round}, {n} at once ({mib} MiB each): upload {point.Upload:F0} MiB/s vs bare pipeline {point.BareWrite:F0} MiB/s; download {point.Download:F0} MiB/s vs bare chunk read {point.BareRead:F0} MiB/s (short-circuit), {point.BareRemoteRead:F0} MiB/s (over the connection); load average {GatewayLoad.LoadAverage()}"));
                }
                foreach (var n in smallClients)
                {
                    LatencySummary files = null!;
                    LatencySummary puts = null!;
                    IReadOnlyList<string> written = [];
                    var tag = $"report-r{round}-c{n}";
                    await PairAsync(gatewayFirst,
                        async () => (files, written) = await bench.SmallFilesAsync(tag, smallDuration, n),
                        async () => puts = await bench.KvPutsAsync(tag, smallDuration, n));
                    var reads = await bench.SmallReadsAsync(written, smallDuration, n);
                    points.Add(new GatewayPoint(round, "small", n, 0, 0, 0, 0, 0, files, puts, reads));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"gateway round {round}, {n} clients: 4 KiB files {files.OpsPerSecond:F0}/s (p50 {files.P50Ms:F1} ms, p99 {files.P99Ms:F1} ms, errors {files.Errors}) vs raw kv puts {puts.OpsPerSecond:F0}/s (p50 {puts.P50Ms:F1} ms, errors {puts.Errors}); 4 KiB reads {reads.OpsPerSecond:F0}/s (p50 {reads.P50Ms:F1} ms, errors {reads.Errors}); load average {GatewayLoad.LoadAverage()}"));
                }
            }
        }
        return points;
    }

    /// <summary>Runs the two sides one after the other, the first first if <paramref name="firstFirst"/>; returns each side's wall-clock time.</summary>
    private static async Task<(TimeSpan First, TimeSpan Second)> PairAsync(bool firstFirst, Func<Task> first, Func<Task> second)
    {
        if (firstFirst)
        {
            var a = await TimeAsync(first);
            return (a, await TimeAsync(second));
        }
        var b = await TimeAsync(second);
        return (await TimeAsync(first), b);
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        var started = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(started);
    }

    private static double Rate(long bytes, TimeSpan elapsed) => bytes / (1024.0 * 1024.0) / elapsed.TotalSeconds;
}

/// <summary>
/// One round at one concurrency: for <c>transfer</c>, MiB/s of uploads, bare pipeline writes, downloads and bare chunk reads
/// (short-circuit, and over the chunk servers' connections); for <c>small</c>, 4 KiB file PUTs, raw key-value puts and 4 KiB GETs.
/// </summary>
internal sealed record GatewayPoint(int Round, string Kind, int Concurrency, double Upload, double BareWrite, double Download, double BareRead,
    double BareRemoteRead, LatencySummary? Files, LatencySummary? Puts, LatencySummary? Reads);
