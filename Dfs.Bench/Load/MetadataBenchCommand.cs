using System.Diagnostics;
using System.Globalization;
using Dfs.Client.Master;
using Dfs.Client.Metadata;
using Dfs.Common.Configuration;
using Dfs.Raft.Metadata;

namespace Dfs.Bench.Load;

/// <summary>
/// <c>Dfs.Bench metadata [seconds] [rounds] [files] [dirFiles]</c>: against three local master processes, file-system operations per
/// second at 16 clients (a mkdir + empty-file commit + lookup mix over the internal protocol) beside raw key-value puts at 16 clients,
/// in alternating rounds of the same run; then, in this process over the schema on an in-process store, the managed heap per
/// file after a forced GC at <c>files</c> files, and the time to list and to rename a directory of <c>dirFiles</c> files.
/// </summary>
public static class MetadataBenchCommand
{
    private const int Clients = 16;

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = Arg(args, 0, 10);
        var rounds = Arg(args, 1, 2);
        var files = Arg(args, 2, 1_000_000);
        var dirFiles = Arg(args, 3, 100_000);
        foreach (var point in await MeasureLoadAsync([Clients], TimeSpan.FromSeconds(seconds), rounds))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {point.Round}: raw KV puts {point.Puts.OpsPerSecond:N0} ops/s | metadata mix {point.Metadata.OpsPerSecond:N0} ops/s | ratio {point.Metadata.OpsPerSecond / point.Puts.OpsPerSecond:F2}"));
        }
        await MeasureStoreAsync(files, dirFiles);
        return 0;
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

    private static async Task MeasureStoreAsync(int files, int dirFiles)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var clock = 0L;
        var kv = KvMetadataAdapter.InProcess(() => Interlocked.Increment(ref clock));
        var store = new MetadataStore(kv);
        var perDir = 1000;
        var load = Stopwatch.StartNew();
        for (var i = 0; i < files; i++)
        {
            if (i % perDir == 0)
            {
                await store.MkdirAsync($"/m/d{i / perDir}", parents: true);
            }
            var chunk = new ChunkRef((ulong)i + 1, 1 << 20, 7, 1);
            await store.CommitAsync($"/m/d{i / perDir}/file-{i:D8}", ExpectedVersion.None, new NewVersion(1 << 20, 7, 1_700_000_000_000, "application/octet-stream", [chunk]));
        }
        load.Stop();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"store: {files:N0} files (one chunk each, {perDir} per directory) in {load.Elapsed.TotalSeconds:F1} s; managed heap {(after - before) / (double)files:F0} B/file after a forced GC"));
        GC.KeepAlive(store);

        var big = new MetadataStore(KvMetadataAdapter.InProcess(() => Interlocked.Increment(ref clock)));
        await big.MkdirAsync("/big/src", parents: true);
        for (var i = 0; i < dirFiles; i++)
        {
            await big.CommitAsync($"/big/src/f{i:D7}", ExpectedVersion.None, new NewVersion(0, 0, 1, "", []));
        }
        var list = Stopwatch.StartNew();
        var listed = 0;
        string? after2 = null;
        while (true)
        {
            var page = await big.ListAsync("/big/src", after2, 10_000);
            listed += page.Entries.Count;
            if (!page.More)
            {
                break;
            }
            after2 = page.Entries[^1].Name;
        }
        list.Stop();
        var rename = Stopwatch.StartNew();
        await big.RenameAsync("/big/src", "/big/dst");
        rename.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"store: listing a {listed:N0}-file directory (pages of 10,000) took {list.Elapsed.TotalMilliseconds:F0} ms; renaming it took {rename.Elapsed.TotalMilliseconds:F2} ms"));
    }

    private static int Arg(string[] args, int index, int fallback) =>
        args.Length > index && int.TryParse(args[index], CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}

/// <summary>One round at one client count: raw key-value puts beside single metadata operations (mkdir, commit, lookup in turn).</summary>
public sealed record MetadataLoadPoint(int Round, int Clients, LatencySummary Puts, LatencySummary Metadata);
