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
        var scratch = Path.Combine(Path.GetTempPath(), $"dfs-metadata-bench-{Environment.ProcessId}");
        try
        {
            await using (var cluster = new DfsKvCluster(scratch, raftPortBase: 17301, apiPortBase: 17401))
            {
                using var start = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                await cluster.StartAsync(start.Token);
                await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(60), start.Token);
                var masters = Enumerable.Range(0, 3)
                    .Select(i => new MasterNodeConfig { Id = $"m{i + 1}", Host = "127.0.0.1", RaftPort = 17301 + i, ApiPort = 17401 + i })
                    .ToArray();
                var clients = Enumerable.Range(0, Clients).Select(_ => new MasterClient(masters)).ToArray();
                try
                {
                    for (var round = 1; round <= rounds; round++)
                    {
                        var puts = await RunPhaseAsync(clients, seconds, (client, worker, n) =>
                            client.PutAsync(System.Text.Encoding.ASCII.GetBytes($"bench/{round}/{worker}/{n}"), new byte[100]), 1);
                        var metadata = await RunPhaseAsync(clients, seconds, async (client, worker, n) =>
                        {
                            var service = new MetadataClient(client);
                            var dir = $"/bench{round}/w{worker}/d{n}";
                            await service.MkdirAsync(dir);
                            await service.CommitAsync(dir + "/f", ExpectedVersion.None, new NewVersion(0, 0, 1, "", []));
                            await service.LookupAsync(dir + "/f");
                        }, 3);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"round {round}: raw KV puts {puts:N0} ops/s | metadata mix {metadata:N0} ops/s | ratio {metadata / puts:F2}"));
                    }
                }
                finally
                {
                    foreach (var client in clients)
                    {
                        await client.DisposeAsync();
                    }
                }
            }
            await MeasureStoreAsync(files, dirFiles);
            return 0;
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

    /// <summary>Operations per second of <paramref name="clients"/> workers looping <paramref name="op"/> for <paramref name="seconds"/>.</summary>
    private static async Task<double> RunPhaseAsync(MasterClient[] clients, int seconds, Func<MasterClient, int, long, Task> op, int opsPerCall)
    {
        var stop = Stopwatch.StartNew();
        var total = 0L;
        await Task.WhenAll(clients.Select((client, worker) => Task.Run(async () =>
        {
            long n = 0;
            while (stop.Elapsed.TotalSeconds < seconds)
            {
                await op(client, worker, n++);
            }
            Interlocked.Add(ref total, n * opsPerCall);
        })));
        return total / stop.Elapsed.TotalSeconds;
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
