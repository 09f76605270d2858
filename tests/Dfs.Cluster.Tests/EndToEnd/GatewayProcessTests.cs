using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Dfs.Common.Hashing;
using Dfs.Testing;
using Dfs.Testing.Processes;

namespace Dfs.Cluster.Tests.EndToEnd;

/// <summary>Files through the gateway of a cluster of real processes: three masters, four chunk servers, one gateway.</summary>
public sealed class GatewayProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Files_OfEverySize_RoundTripByteForByte_ThroughTheGatewayOfRealProcesses()
    {
        await using var cluster = await DfsProcessCluster.StartAsync(nameof(Files_OfEverySize_RoundTripByteForByte_ThroughTheGatewayOfRealProcesses),
            new DfsProcessClusterOptions { ChunkServers = 4 });
        using var http = new HttpClient { BaseAddress = cluster.GatewayAddress, Timeout = Timeout };
        await WaitUntilWritableAsync(http, cluster);

        var chunk = (int)cluster.Config.ChunkSizeBytes;
        foreach (var size in new[] { 0, 1, chunk - 1, chunk, chunk + 1, 3 * chunk + 12345 })
        {
            var data = RandomBytes(size, seed: size);
            var path = $"sizes/file-{size}.bin";
            using (var put = await http.PutAsync(new Uri($"/api/files/{path}", UriKind.Relative), Binary(data)))
            {
                Assert.True(put.StatusCode == HttpStatusCode.Created, $"PUT {size} B: {put.StatusCode} {await put.Content.ReadAsStringAsync()}");
            }
            using var get = await http.GetAsync(new Uri($"/api/files/{path}", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            byte[] body;
            try
            {
                body = await get.Content.ReadAsByteArrayAsync();
            }
            catch (HttpRequestException e)
            {
                throw new InvalidOperationException($"GET of {size} B broke off: {e.Message}{Environment.NewLine}{cluster.Logs()}", e);
            }
            Assert.True(data.AsSpan().SequenceEqual(body), $"{size} B came back as {body.Length} B that differ");
            Assert.Equal($"\"{Crc32C.Compute(data):x8}\"", get.Headers.ETag?.Tag);
        }
    }

    [Fact]
    public async Task SmallFilesOnChunkServers_WrittenBySixteenClients_DrawTheirChunksInBatches_AndEachReadsBackFromThreeReplicas()
    {
        await using var cluster = await DfsProcessCluster.StartAsync(
            nameof(SmallFilesOnChunkServers_WrittenBySixteenClients_DrawTheirChunksInBatches_AndEachReadsBackFromThreeReplicas),
            new DfsProcessClusterOptions { ChunkServers = 4 });
        using var http = new HttpClient { BaseAddress = cluster.GatewayAddress, Timeout = Timeout };
        await WaitUntilWritableAsync(http, cluster);
        const int Files = 160;
        // Past the inline threshold, so every file is one chunk on the chunk servers.
        var size = cluster.Config.InlineFileBytes + 100;
        var before = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < Files; i = Interlocked.Increment(ref next))
            {
                using var put = await http.PutAsync(new Uri($"/api/files/small/f{i}", UriKind.Relative), Binary(RandomBytes(size, seed: i)));
                Assert.True(put.StatusCode == HttpStatusCode.Created, $"PUT f{i}: {put.StatusCode} {await put.Content.ReadAsStringAsync()}");
            }
        })));

        var after = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        double Grew(string name) => MetricsScrape.Value(after, name) - MetricsScrape.Value(before, name);
        var requests = Grew("dfs_gateway_chunk_allocation_requests_total");
        var drawn = Grew("dfs_gateway_chunk_allocations_drawn_total");
        Assert.True(drawn >= Files, $"{drawn} allocations drawn for {Files} files");
        Assert.True(requests <= Files / 4, $"{Files} files drew their chunks in {requests} requests to the masters");
        for (var i = 0; i < Files; i++)
        {
            Assert.Equal(RandomBytes(size, seed: i), await http.GetByteArrayAsync(new Uri($"/api/files/small/f{i}", UriKind.Relative)));
            var holders = Assert.Single(await ReplicaHoldersAsync(http, $"small/f{i}"));
            Assert.Equal(3, holders.Distinct().Count());
        }
    }

    [Fact]
    public async Task ChunkServer_KilledAfterAWrite_ItsChunksAreReReplicated_AndTheFileStillReads()
    {
        await using var cluster = await DfsProcessCluster.StartAsync(nameof(ChunkServer_KilledAfterAWrite_ItsChunksAreReReplicated_AndTheFileStillReads),
            new DfsProcessClusterOptions { ChunkServers = 4 });
        using var http = new HttpClient { BaseAddress = cluster.GatewayAddress, Timeout = Timeout };
        await WaitUntilWritableAsync(http, cluster);
        var data = RandomBytes(2 * (int)cluster.Config.ChunkSizeBytes + 7, seed: 42);
        using (var put = await http.PutAsync(new Uri("/api/files/keep/me.bin", UriKind.Relative), Binary(data)))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }
        var holders = await ReplicaHoldersAsync(http, "keep/me.bin");
        var victim = holders.SelectMany(h => h).GroupBy(h => h).OrderByDescending(g => g.Count()).First().Key;

        await cluster.KillAsync(victim);

        // Declared dead at most chunkServerDeadMs after the kill, then copied: every chunk is back at three live replicas
        // without the victim within 10 s of the declaration.
        var declaredDeadBy = TimeSpan.FromMilliseconds(cluster.Config.ChunkServerDeadMs);
        await Eventually.WaitUntilAsync(async () =>
        {
            var now = await ReplicaHoldersAsync(http, "keep/me.bin");
            return now.All(replicas => replicas.Count == 3 && !replicas.Contains(victim));
        }, declaredDeadBy + TimeSpan.FromSeconds(10), () => cluster.Logs(), $"every chunk back at 3 replicas within 10 s of {victim} being declared dead",
            TimeSpan.FromMilliseconds(200));
        using var get = await http.GetAsync(new Uri("/api/files/keep/me.bin", UriKind.Relative));
        Assert.Equal(data, await get.Content.ReadAsByteArrayAsync());
        // The leader's /metrics counted a copy for every chunk the victim held.
        var leaderId = await cluster.WaitForLeaderAsync(Timeout);
        var leader = cluster.Config.Masters.Single(m => m.Id == leaderId);
        var metrics = await http.GetStringAsync(new Uri($"http://{leader.Host}:{leader.ApiPort}/metrics"));
        var lost = holders.Count(h => h.Contains(victim));
        Assert.True(MetricsScrape.Value(metrics, "dfs_chunk_copies_ordered_total") >= lost, metrics);
        Assert.Equal(0, MetricsScrape.Value(metrics, "dfs_chunk_copies_in_flight"));
    }

    [Fact]
    public async Task DeletedFile_ItsChunkFilesLeaveEveryChunkServersDisk()
    {
        await using var cluster = await DfsProcessCluster.StartAsync(nameof(DeletedFile_ItsChunkFilesLeaveEveryChunkServersDisk),
            new DfsProcessClusterOptions { ChunkServers = 4 });
        using var http = new HttpClient { BaseAddress = cluster.GatewayAddress, Timeout = Timeout };
        var data = RandomBytes(2 * (int)cluster.Config.ChunkSizeBytes + 1, seed: 3);
        using (var put = await http.PutAsync(new Uri("/api/files/gone/soon.bin", UriKind.Relative), Binary(data)))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }
        var ids = await ChunkIdsAsync(http, "gone/soon.bin");
        Assert.Equal(3, ids.Count);
        // At least three replicas of each chunk (a server declared dead under load may have added a fourth).
        await Eventually.WaitUntilAsync(() => ids.All(id => ChunkFiles(cluster, [id]).Count(f => f.EndsWith(".data", StringComparison.Ordinal)) >= 3),
            TimeSpan.FromSeconds(10), () => string.Join(", ", ChunkFiles(cluster, ids)), "three replicas of each chunk on disk", TimeSpan.FromMilliseconds(100));

        using (var delete = await http.DeleteAsync(new Uri("/api/files/gone/soon.bin", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        // Collected after the garbage grace (5 s), told to the chunk servers in heartbeat replies.
        await Eventually.WaitUntilAsync(() => ChunkFiles(cluster, ids).Count == 0, TimeSpan.FromSeconds(30),
            () => string.Join(", ", ChunkFiles(cluster, ids)), "no chunk file of the deleted file left", TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task CorruptReplica_OnDisk_IsNeverServed_AndTheChunkIsBackAtThreeGoodReplicas()
    {
        await using var cluster = await DfsProcessCluster.StartAsync(nameof(CorruptReplica_OnDisk_IsNeverServed_AndTheChunkIsBackAtThreeGoodReplicas),
            new DfsProcessClusterOptions { ChunkServers = 4 });
        using var http = new HttpClient { BaseAddress = cluster.GatewayAddress, Timeout = Timeout };
        var data = RandomBytes((int)cluster.Config.ChunkSizeBytes / 2, seed: 9);
        using (var put = await http.PutAsync(new Uri("/api/files/rot.bin", UriKind.Relative), Binary(data)))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }
        var id = Assert.Single(await ChunkIdsAsync(http, "rot.bin"));
        // The replica a reader tries first is the one made bad.
        var first = (await ReplicaHoldersAsync(http, "rot.bin"))[0][0];
        string dataFile = "";
        await Eventually.WaitUntilAsync(() => (dataFile = ChunkFiles(cluster, [id]).FirstOrDefault(f => f.Contains($"{Path.DirectorySeparatorChar}{first}{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && f.EndsWith(".data", StringComparison.Ordinal)) ?? "") != "",
            TimeSpan.FromSeconds(10), () => string.Join(", ", ChunkFiles(cluster, [id])), $"{first}'s data file of chunk {id}", TimeSpan.FromMilliseconds(100));
        await using (var file = new FileStream(dataFile, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = 1000;
            var b = file.ReadByte();
            file.Position = 1000;
            file.WriteByte((byte)(b ^ 0x40));
        }

        for (var i = 0; i < 3; i++)
        {
            using var get = await http.GetAsync(new Uri("/api/files/rot.bin", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            var body = await get.Content.ReadAsByteArrayAsync();
            Assert.True(data.AsSpan().SequenceEqual(body), "a read served corrupt bytes");
        }
        // The corrupt replica was quarantined and reported; the leader copies a good one to take its place.
        await Eventually.WaitUntilAsync(async () =>
        {
            var replicas = (await ReplicaHoldersAsync(http, "rot.bin"))[0];
            return replicas.Count == 3 && ChunkFiles(cluster, [id]).Count(f => f.EndsWith(".data", StringComparison.Ordinal)) == 3;
        }, TimeSpan.FromSeconds(30), () => string.Join(", ", ChunkFiles(cluster, [id])), "three good replicas again", TimeSpan.FromMilliseconds(200));
        using var after = await http.GetAsync(new Uri("/api/files/rot.bin", UriKind.Relative));
        Assert.Equal(data, await after.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Leader_Killed_TheNewLeaderLocatesAndPlacesChunksAtOnce_WithoutWaitingForReports()
    {
        // Heartbeats every 5 s: a leader that had to wait for reports would take seconds to find any replica.
        await using var cluster = await DfsProcessCluster.StartAsync(nameof(Leader_Killed_TheNewLeaderLocatesAndPlacesChunksAtOnce_WithoutWaitingForReports),
            new DfsProcessClusterOptions { ChunkServers = 4, ChunkServerHeartbeatMs = 5000, ChunkServerDeadMs = 20000 });
        using var http = new HttpClient { BaseAddress = cluster.GatewayAddress, Timeout = Timeout };
        var data = RandomBytes((int)cluster.Config.ChunkSizeBytes + 5, seed: 11);
        using (var put = await http.PutAsync(new Uri("/api/files/before.bin", UriKind.Relative), Binary(data)))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }
        // Every master hears every chunk server once more after the upload ended, late enough that the heartbeat carries a
        // listing of the store taken after it (a chunk server lists its store at most every half interval and shares the
        // listing among its masters), so the followers know the file's replicas too.
        var uploaded = System.Diagnostics.Stopwatch.StartNew();
        using var masters = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.WaitUntilAsync(async () =>
        {
            foreach (var master in cluster.Config.Masters)
            {
                using var view = JsonDocument.Parse(await masters.GetStringAsync(new Uri($"http://{master.Host}:{master.ApiPort}/chunkservers")));
                var margin = uploaded.ElapsedMilliseconds - (cluster.Config.ChunkServerHeartbeatMs / 2 + 1000);
                if (view.RootElement.GetProperty("servers").EnumerateArray().Any(c => c.GetProperty("lastHeardMs").GetInt64() is var heard && (heard < 0 || heard > margin)))
                {
                    return false;
                }
            }
            return true;
        }, TimeSpan.FromSeconds(20), () => "", "a heartbeat from every chunk server on every master since the upload", TimeSpan.FromMilliseconds(200));
        var leader = await cluster.WaitForLeaderAsync(Timeout);

        await cluster.KillAsync(leader);
        await cluster.WaitForLeaderAsync(Timeout);
        var elected = System.Diagnostics.Stopwatch.StartNew();
        using (var get = await http.GetAsync(new Uri("/api/files/before.bin", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(data, await get.Content.ReadAsByteArrayAsync());
        }
        using (var put = await http.PutAsync(new Uri("/api/files/after.bin", UriKind.Relative), Binary(data)))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }
        Assert.True(elected.Elapsed < TimeSpan.FromSeconds(4), $"read and write after the election took {elected.ElapsedMilliseconds} ms");
    }

    private static async Task<List<string>> ChunkIdsAsync(HttpClient http, string path)
    {
        using var meta = JsonDocument.Parse(await http.GetStringAsync(new Uri($"/api/meta/{path}", UriKind.Relative)));
        return meta.RootElement.GetProperty("chunks").EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToList();
    }

    /// <summary>Every chunk file (data and checksums) of <paramref name="ids"/> in the chunk servers' chunk folders.</summary>
    private static List<string> ChunkFiles(DfsProcessCluster cluster, IReadOnlyCollection<string> ids) =>
        cluster.ChunkServerIds
            .Select(c => Path.Combine(cluster.DataDirectory(c), "chunks"))
            .Where(Directory.Exists)
            .SelectMany(Directory.EnumerateFiles)
            .Where(f => ids.Any(id => Path.GetFileName(f).StartsWith(id + ".", StringComparison.Ordinal)))
            .ToList();

    [Fact]
    public async Task SlowUpload_EachChunkSlowerThanTheDeadTimeout_IsNotCopiedOrTrimmed_AndHoldsThreeReplicas()
    {
        // The leader counts a chunk's pipeline as its replicas until they report, for a dead timeout; each chunk of this
        // upload takes longer than that to arrive, so the first writer's report comes when the window set at allocation is over.
        await using var cluster = await DfsProcessCluster.StartAsync(nameof(SlowUpload_EachChunkSlowerThanTheDeadTimeout_IsNotCopiedOrTrimmed_AndHoldsThreeReplicas),
            new DfsProcessClusterOptions { ChunkServers = 4, ChunkServerHeartbeatMs = 300, ChunkServerDeadMs = 1000 });
        using var http = new HttpClient { BaseAddress = cluster.GatewayAddress, Timeout = Timeout };
        await WaitUntilWritableAsync(http, cluster);
        var leaderId = await cluster.WaitForLeaderAsync(Timeout);
        var leader = cluster.Config.Masters.Single(m => m.Id == leaderId);
        var leaderApi = new Uri($"http://{leader.Host}:{leader.ApiPort}/");
        var chunk = (int)cluster.Config.ChunkSizeBytes;
        var data = RandomBytes(2 * chunk, seed: 17);

        // 64 KiB every 100 ms: a chunk of 16 pieces takes 1.6 s, past the 1 s dead timeout.
        var sending = System.Diagnostics.Stopwatch.StartNew();
        using (var put = await http.PutAsync(new Uri("/api/files/slow/upload.bin", UriKind.Relative), new PacedContent(data, 64 * 1024, TimeSpan.FromMilliseconds(100))))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }
        Assert.True(sending.Elapsed > 2 * TimeSpan.FromMilliseconds(cluster.Config.ChunkServerDeadMs), $"the upload took {sending.Elapsed}");
        var ids = await ChunkIdsAsync(http, "slow/upload.bin");

        // Once the leader has a report of every replica on the servers' disks (this file's six among them), each chunk
        // counts three: a copy could only have been ordered before that.
        var state = "";
        await Eventually.WaitUntilAsync(async () =>
        {
            var onDisk = ReplicasOnDisk(cluster);
            var reported = await ReportedReplicasAsync(http, leaderApi);
            var ours = onDisk.Count(r => ids.Contains(r.Chunk));
            state = $"{reported} replicas reported to the leader, {onDisk.Count} on disk, {ours} of them this file's";
            return ours == 6 && reported == onDisk.Count;
        }, Timeout, () => state + Environment.NewLine + cluster.Logs(), "the leader has a report of every replica on disk", TimeSpan.FromMilliseconds(100));
        var metrics = await http.GetStringAsync(new Uri(leaderApi, "/metrics"));
        Assert.Equal(0, MetricsScrape.Value(metrics, "dfs_chunk_copies_ordered_total"));
        Assert.Equal(0, MetricsScrape.Value(metrics, "dfs_chunks_under_replicated"));
        Assert.Equal(6, ReplicasOnDisk(cluster).Count(r => ids.Contains(r.Chunk)));
        Assert.All(await ReplicaHoldersAsync(http, "slow/upload.bin"), holders => Assert.Equal(3, holders.Distinct().Count()));
        using var get = await http.GetAsync(new Uri("/api/files/slow/upload.bin", UriKind.Relative));
        Assert.Equal(data, await get.Content.ReadAsByteArrayAsync());
    }

    /// <summary>Every committed replica in the chunk servers' chunk folders, as (server, chunk id) from its data file.</summary>
    private static List<(string Server, string Chunk)> ReplicasOnDisk(DfsProcessCluster cluster) =>
        cluster.ChunkServerIds
            .SelectMany(c =>
            {
                var folder = Path.Combine(cluster.DataDirectory(c), "chunks");
                return Directory.Exists(folder)
                    ? Directory.EnumerateFiles(folder, "*.data").Select(f => (Server: c, Chunk: Path.GetFileName(f).Split('.')[0]))
                    : [];
            })
            .Distinct()
            .ToList();

    /// <summary>Replicas the master's directory holds reports of, summed over the chunk servers.</summary>
    private static async Task<int> ReportedReplicasAsync(HttpClient http, Uri masterApi)
    {
        using var view = JsonDocument.Parse(await http.GetStringAsync(new Uri(masterApi, "/chunkservers")));
        return view.RootElement.GetProperty("servers").EnumerateArray().Sum(s => s.GetProperty("chunkCount").GetInt32());
    }

    /// <summary>A body sent a piece at a time with a pause before each piece: a client on a slow link.</summary>
    private sealed class PacedContent(byte[] data, int piece, TimeSpan pause) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            for (var offset = 0; offset < data.Length; offset += piece)
            {
                await Task.Delay(pause);
                await stream.WriteAsync(data.AsMemory(offset, Math.Min(piece, data.Length - offset)));
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = data.Length;
            return true;
        }
    }

    private static async Task<List<List<string>>> ReplicaHoldersAsync(HttpClient http, string path)
    {
        using var meta = JsonDocument.Parse(await http.GetStringAsync(new Uri($"/api/meta/{path}", UriKind.Relative)));
        return meta.RootElement.GetProperty("chunks").EnumerateArray()
            .Select(c => c.GetProperty("replicas").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToList())
            .ToList();
    }

    /// <summary>Waits until a leader is known and enough chunk servers have registered for a write to succeed.</summary>
    private static async Task WaitUntilWritableAsync(HttpClient http, DfsProcessCluster cluster)
    {
        var last = "";
        await Eventually.WaitUntilAsync(async () =>
        {
            // Larger than the cluster's inline threshold, so the probe goes through the chunk servers.
            using var response = await http.PutAsync(new Uri("/api/files/.probe", UriKind.Relative), Binary(new byte[cluster.Config.InlineFileBytes + 1]));
            last = $"{response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            return response.StatusCode == HttpStatusCode.Created;
        }, Timeout, () => last + Environment.NewLine + cluster.Logs(), "a first write through the gateway", TimeSpan.FromMilliseconds(200));
    }

    private static ByteArrayContent Binary(byte[] data)
    {
        var content = new ByteArrayContent(data);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    private static byte[] RandomBytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
