using System.Diagnostics;
using System.Net;
using Dfs.Testing;
using Dfs.Testing.Processes;
using Xunit.Abstractions;
using static Dfs.Cluster.Tests.EndToEnd.GatewayRequests;

namespace Dfs.Cluster.Tests.EndToEnd;

/// <summary>A chunk server SIGKILLed in the middle of a large upload or download: the transfer still completes with exactly the bytes.</summary>
public sealed class ChunkServerFailureProcessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private const int Chunks = 24;

    [Fact]
    public async Task ChunkServer_InTheWritePipeline_KilledMidUpload_TheUploadCompletes_AndReadsBackByteIdentical()
    {
        await using var cluster = await DfsProcessCluster.StartAsync(nameof(ChunkServer_InTheWritePipeline_KilledMidUpload_TheUploadCompletes_AndReadsBackByteIdentical),
            new DfsProcessClusterOptions { ChunkServers = 4 });
        using var http = new HttpClient { BaseAddress = cluster.GatewayAddress, Timeout = TimeSpan.FromMinutes(3) };
        await WaitUntilWritableAsync(http, cluster, Timeout);
        var chunk = (int)cluster.Config.ChunkSizeBytes;
        var data = RandomBytes(Chunks * chunk, seed: 24);

        // The body pauses a little past the middle of a chunk, while that chunk is being written down its pipeline,
        // until a server holding a pending (uncommitted) replica has been killed.
        var pauseAt = 6 * chunk + chunk / 2;
        string? victim = null;
        var pendingFiles = "";
        var body = new PausingContent(data, pauseAt, async () =>
        {
            var deadline = Stopwatch.StartNew();
            while (victim is null && deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                var pending = cluster.ChunkServerIds
                    .Select(c => (Server: c, Files: Directory.EnumerateFiles(Path.Combine(cluster.DataDirectory(c), "pending")).Select(Path.GetFileName).ToList()))
                    .Where(p => p.Files.Count > 0)
                    .ToList();
                pendingFiles = string.Join("; ", pending.Select(p => $"{p.Server}: {string.Join(", ", p.Files)}"));
                victim = pending.Select(p => p.Server).FirstOrDefault();
                if (victim is null)
                {
                    await Task.Delay(20);
                }
            }
            // Should the pipeline be between chunks for all that time, any server holds replicas of the chunks to come.
            victim ??= cluster.ChunkServerIds.First();
            await cluster.KillAsync(victim);
        });

        using var put = await http.PutAsync(FileUri("big/upload.bin"), body);
        var answer = await put.Content.ReadAsStringAsync();
        output.WriteLine($"killed {victim} (pending replicas: {pendingFiles}) after {pauseAt} B of {data.Length} B; PUT answered {(int)put.StatusCode} {answer}");
        Assert.True(body.Paused, "the upload never reached the point of the kill");
        Assert.True(put.StatusCode == HttpStatusCode.Created, $"PUT: {put.StatusCode} {answer}{Environment.NewLine}{cluster.Logs()}");

        using var get = await http.GetAsync(FileUri("big/upload.bin"));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        var bytes = await get.Content.ReadAsByteArrayAsync();
        Assert.True(data.AsSpan().SequenceEqual(bytes), Difference(data, bytes));
        Assert.Equal(Chunks, (await ReplicaHoldersAsync(http, "big/upload.bin")).Count);
    }

    [Fact]
    public async Task ChunkServer_ADownloadReadsFrom_KilledMidDownload_TheDownloadReturnsExactlyTheBytes()
    {
        await using var cluster = await DfsProcessCluster.StartAsync(nameof(ChunkServer_ADownloadReadsFrom_KilledMidDownload_TheDownloadReturnsExactlyTheBytes),
            new DfsProcessClusterOptions { ChunkServers = 4 });
        using var http = new HttpClient { BaseAddress = cluster.GatewayAddress, Timeout = TimeSpan.FromMinutes(3) };
        await WaitUntilWritableAsync(http, cluster, Timeout);
        var chunk = (int)cluster.Config.ChunkSizeBytes;
        var data = RandomBytes(Chunks * chunk + 4321, seed: 25);
        using (var put = await http.PutAsync(FileUri("big/download.bin"), Binary(data)))
        {
            Assert.True(put.StatusCode == HttpStatusCode.Created, $"PUT: {put.StatusCode} {await put.Content.ReadAsStringAsync()}");
        }
        var holders = await ReplicaHoldersAsync(http, "big/download.bin");

        using var get = await http.GetAsync(FileUri("big/download.bin"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(data.Length, get.Content.Headers.ContentLength);
        await using var stream = await get.Content.ReadAsStreamAsync();
        var received = new MemoryStream(data.Length);
        var buffer = new byte[16 * 1024];

        // Slowly through the first two chunks, so the gateway is still early in the file when the server dies.
        while (received.Length < 2 * chunk)
        {
            var n = await stream.ReadAsync(buffer);
            Assert.True(n > 0, $"the download ended after {received.Length} B");
            received.Write(buffer, 0, n);
            await Task.Delay(5);
        }
        // The server a reader tries first for the most of the chunks still to come.
        var victim = holders.Skip(4).GroupBy(replicas => replicas[0]).OrderByDescending(g => g.Count()).First().Key;
        output.WriteLine($"killing {victim}, first replica of {holders.Skip(4).Count(r => r[0] == victim)} of the remaining chunks, after reading {received.Length} B");
        await cluster.KillAsync(victim);

        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                received.Write(buffer, 0, read);
                if (received.Length % (1024 * 1024) < read)
                {
                    await Task.Delay(20);
                }
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new InvalidOperationException($"the download broke off after {received.Length} B: {e.Message}{Environment.NewLine}{cluster.Logs()}", e);
        }
        var bytes = received.ToArray();
        Assert.True(data.AsSpan().SequenceEqual(bytes), Difference(data, bytes));
    }

    /// <summary>A request body sent in 64 KiB writes that runs an action once, when <c>pauseAt</c> bytes have been sent.</summary>
    private sealed class PausingContent(byte[] data, int pauseAt, Func<Task> atPause) : HttpContent
    {
        public bool Paused { get; private set; }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            const int Piece = 64 * 1024;
            var offset = 0;
            while (offset < data.Length)
            {
                if (!Paused && offset == pauseAt)
                {
                    await stream.FlushAsync();
                    Paused = true;
                    await atPause();
                }
                var take = Math.Min(Piece, data.Length - offset);
                if (!Paused)
                {
                    take = Math.Min(take, pauseAt - offset);
                }
                await stream.WriteAsync(data.AsMemory(offset, take));
                offset += take;
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = data.Length;
            return true;
        }
    }
}
