using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dfs.Client.Kv;
using Dfs.Client.Master;
using Dfs.Client.Metadata;

namespace Dfs.Bench.Load;

/// <summary>
/// File-system operations per second, one kind at a time, at a fixed number of clients over the masters' internal protocol,
/// beside raw key-value puts from as many clients in the same round, against a whole cluster (three masters, three chunk
/// servers: a file's chunk is allocated by placement on live servers). The kinds: create-and-commit of a one-chunk file
/// (allocate, then commit the version that lists it), the allocation alone (to tell the two halves apart), lookup of a file, list of a 1,000-entry directory, rename of a file.
/// Who goes first turns round each round. Then a directory of many files, listed in pages and renamed as a whole.
/// </summary>
internal static class MetadataOpsLoad
{
    public const string Puts = "raw KV put";
    public const string Create = "create+commit (1 chunk)";
    public const string CreateAlone = "create+commit (1 chunk, allocation alone)";
    public const string Allocate = "allocate (alone)";
    public const string Lookup = "lookup";
    public const string List = "list 1,000 entries";
    public const string Rename = "rename";

    private const int ListedEntries = 1000;

    public static async Task<IReadOnlyList<MetadataOpsRound>> MeasureAsync(GatewayCluster cluster, int clients, TimeSpan duration, int rounds)
    {
        var masters = cluster.Config.Masters;
        var connections = Enumerable.Range(0, clients).Select(_ => new MasterClient(masters)).ToArray();
        try
        {
            var services = connections.Select(c => new MetadataClient(c)).ToArray();
            // Each client draws its chunks as a gateway's uploader does: in batches that follow its demand.
            var pools = services.Select(s => new ChunkAllocationPool(s, ChunkAllocation.MaxPerRequest, TimeSpan.FromSeconds(1))).ToArray();
            await PrepareAsync(services, clients, rounds);
            // Whether each client's file is now at b: a rename that failed (an error counted) leaves it where it was.
            var renamed = new bool[clients];
            var kinds = new (string Name, Func<int, long, int, Task<bool>> Operation)[]
            {
                (Puts, async (worker, n, round) =>
                    (await connections[worker].PutAsync(Encoding.ASCII.GetBytes($"bench/{round}/{worker}/{n}"), new byte[100])).Status == KvStatus.Ok),
                (Create, async (worker, n, round) =>
                {
                    var path = $"/ops/create/r{round}/w{worker}/f{n}";
                    await CommitOneChunkFileAsync(services[worker], path, await pools[worker].TakeAsync(path, CancellationToken.None));
                    return true;
                }),
                (CreateAlone, async (worker, n, round) =>
                {
                    await CreateOneChunkFileAsync(services[worker], $"/ops/create/r{round}/w{worker}/s{n}");
                    return true;
                }),
                (Allocate, async (worker, n, round) =>
                {
                    await services[worker].AllocateChunkAsync($"/ops/create/r{round}/w{worker}/g{n}");
                    return true;
                }),
                (Lookup, async (worker, n, _) => (await services[worker].LookupAsync($"/ops/lookup/w{worker}/f{n % 100}")).Chunks.Count == 1),
                (List, async (worker, _, _) => (await services[worker].ListAsync("/ops/list", limit: ListedEntries)).Entries.Count == ListedEntries),
                (Rename, async (worker, _, _) =>
                {
                    var (from, to) = renamed[worker] ? ("b", "a") : ("a", "b");
                    await services[worker].RenameAsync($"/ops/rename/w{worker}/{from}", $"/ops/rename/w{worker}/{to}");
                    renamed[worker] = !renamed[worker];
                    return true;
                }),
            };
            var results = new List<MetadataOpsRound>();
            for (var round = 1; round <= rounds; round++)
            {
                var order = round % 2 == 1 ? kinds : kinds.Reverse().ToArray();
                var figures = new Dictionary<string, LatencySummary>();
                foreach (var (name, operation) in order)
                {
                    var r = round;
                    var (summary, firstError) = await TimedConcurrentLoad.RunAsync(clients, duration, (worker, n) => operation(worker, n, r));
                    figures[name] = summary;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"metadata round {round}, {clients} clients, {name}: {summary.OpsPerSecond:F0}/s (p50 {summary.P50Ms:F2} ms, p99 {summary.P99Ms:F2} ms, errors {summary.Errors}{(firstError is null ? "" : $", first: {firstError}")})"));
                }
                results.Add(new MetadataOpsRound(round, clients, figures));
            }
            return results;
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// <paramref name="files"/> empty files in one directory (written by 16 clients), then the directory listed in pages and
    /// renamed; beside it, in the same run, an empty directory renamed and one raw put, each the median of several.
    /// </summary>
    public static async Task<BigDirectoryFigures> BigDirectoryAsync(GatewayCluster cluster, int files)
    {
        const int writers = 16;
        var connections = Enumerable.Range(0, writers).Select(_ => new MasterClient(cluster.Config.Masters)).ToArray();
        try
        {
            var service = new MetadataClient(connections[0]);
            await service.MkdirAsync("/big/src");
            var load = Stopwatch.StartNew();
            var next = -1;
            await Task.WhenAll(connections.Select(connection => Task.Run(async () =>
            {
                var writer = new MetadataClient(connection);
                for (var i = Interlocked.Increment(ref next); i < files; i = Interlocked.Increment(ref next))
                {
                    await writer.CommitAsync($"/big/src/f{i:D7}", ExpectedVersion.None, new NewVersion(0, 0, 1_700_000_000_000, "", []));
                }
            })));
            load.Stop();

            var pages1k = await ListAllAsync(service, "/big/src", 1000);
            var pages10k = await ListAllAsync(service, "/big/src", 10_000);
            var rename = Stopwatch.StartNew();
            await service.RenameAsync("/big/src", "/big/dst");
            rename.Stop();
            var moved = await service.ListAsync("/big/dst", limit: 1);
            if (moved.Entries.Count != 1)
            {
                throw new InvalidOperationException("The renamed directory lists nothing.");
            }

            var emptyRenames = new List<double>();
            var puts = new List<double>();
            for (var i = 0; i < 21; i++)
            {
                await service.MkdirAsync($"/big/empty{i}");
                var timer = Stopwatch.StartNew();
                await service.RenameAsync($"/big/empty{i}", $"/big/moved{i}");
                emptyRenames.Add(timer.Elapsed.TotalMilliseconds);
                timer.Restart();
                await connections[0].PutAsync(Encoding.ASCII.GetBytes($"bench/big/{i}"), new byte[100]);
                puts.Add(timer.Elapsed.TotalMilliseconds);
            }
            return new BigDirectoryFigures(files, load.Elapsed, pages1k.Elapsed, pages1k.Entries, pages10k.Elapsed, rename.Elapsed.TotalMilliseconds,
                Medians.Of(emptyRenames), Medians.Of(puts));
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private static async Task<(TimeSpan Elapsed, int Entries)> ListAllAsync(MetadataClient service, string path, int pageSize)
    {
        var timer = Stopwatch.StartNew();
        var listed = 0;
        string? after = null;
        while (true)
        {
            var page = await service.ListAsync(path, after, pageSize);
            listed += page.Entries.Count;
            if (!page.More || page.Entries.Count == 0)
            {
                return (timer.Elapsed, listed);
            }
            after = page.Entries[^1].Name;
        }
    }

    /// <summary>What a writer asks of the masters for a one-chunk file: a chunk allocated by placement, then the version that lists it.</summary>
    private static async Task CreateOneChunkFileAsync(MetadataClient service, string path) =>
        await CommitOneChunkFileAsync(service, path, await service.AllocateChunkAsync(path));

    private static async Task CommitOneChunkFileAsync(MetadataClient service, string path, ChunkAllocation chunk) =>
        await service.CommitAsync(path, ExpectedVersion.None,
            new NewVersion(1 << 20, 0xC0FFEE, 1_700_000_000_000, "application/octet-stream", [new ChunkRef(chunk.Id.Value, 1 << 20, 0xC0FFEE, chunk.Version)]));


    /// <summary>A one-chunk file per lookup target (100 per client), a directory of 1,000 entries to list, a file per client to rename, a directory per client and round to create files in.</summary>
    private static async Task PrepareAsync(MetadataClient[] services, int clients, int rounds)
    {
        await services[0].MkdirAsync("/ops/list");
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async worker =>
        {
            var service = services[worker];
            await service.MkdirAsync($"/ops/lookup/w{worker}");
            await service.MkdirAsync($"/ops/rename/w{worker}");
            for (var round = 1; round <= rounds; round++)
            {
                await service.MkdirAsync($"/ops/create/r{round}/w{worker}");
            }
            byte[] one = [42];
            var content = new NewVersion(1, Dfs.Common.Hashing.Crc32C.Compute(one), 1_700_000_000_000, "", [], one);
            for (var i = 0; i < 100; i++)
            {
                await CreateOneChunkFileAsync(service, $"/ops/lookup/w{worker}/f{i}");
            }
            await service.CommitAsync($"/ops/rename/w{worker}/a", ExpectedVersion.None, content);
            for (var i = worker; i < ListedEntries; i += clients)
            {
                await service.CommitAsync($"/ops/list/e{i:D4}", ExpectedVersion.None, content);
            }
        }));
    }
}

/// <summary>One round: operations per second of each kind, all at the same client count.</summary>
internal sealed record MetadataOpsRound(int Round, int Clients, IReadOnlyDictionary<string, LatencySummary> Figures);

internal sealed record BigDirectoryFigures(int Files, TimeSpan Load, TimeSpan ListInPagesOf1000, int Listed, TimeSpan ListInPagesOf10000,
    double RenameMs, double EmptyDirectoryRenameMs, double RawPutMs)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"a directory of {Files:N0} files (written in {Load.TotalSeconds:F1} s by 16 clients): listed ({Listed:N0} entries) in {ListInPagesOf1000.TotalMilliseconds:F0} ms in pages of 1,000 and {ListInPagesOf10000.TotalMilliseconds:F0} ms in pages of 10,000; renamed as a whole in {RenameMs:F1} ms, beside an empty directory's rename {EmptyDirectoryRenameMs:F1} ms and one raw put {RawPutMs:F1} ms (medians of 21)");
}
