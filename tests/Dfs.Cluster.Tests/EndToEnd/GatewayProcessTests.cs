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

        // Declared dead after chunkServerDeadMs, then copied: every chunk is back at three live replicas without the victim.
        await Eventually.WaitUntilAsync(async () =>
        {
            var now = await ReplicaHoldersAsync(http, "keep/me.bin");
            return now.All(replicas => replicas.Count == 3 && !replicas.Contains(victim));
        }, TimeSpan.FromSeconds(30), () => cluster.Logs(), $"every chunk back at 3 replicas after {victim} was killed", TimeSpan.FromMilliseconds(200));
        using var get = await http.GetAsync(new Uri("/api/files/keep/me.bin", UriKind.Relative));
        Assert.Equal(data, await get.Content.ReadAsByteArrayAsync());
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
            using var response = await http.PutAsync(new Uri("/api/files/.probe", UriKind.Relative), Binary([1, 2, 3]));
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
