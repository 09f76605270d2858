using System.Net;
using Dfs.ChunkServer.Server;
using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Microsoft.Extensions.DependencyInjection;

namespace Dfs.ChunkServer.Tests.Server;

public sealed class ChunkServerMetricsTests
{
    [Fact]
    public async Task Metrics_OnTheMetricsPort_CountTheReplicasAndTheirBytes()
    {
        var store = new InMemoryChunkStore();
        await using var host = await ChunkServerHost.StartAsync(store, new ChunkServerOptions { MetricsPort = 0 });
        var address = host.Services.GetRequiredService<ChunkServerListener>().MetricsAddress;
        Assert.NotNull(address);
        var data = new byte[100_000];
        new Random(1).NextBytes(data);
        await new ChunkWriteClient().WriteAsync(new ChunkId(9), 1, [host.Endpoint], new MemoryStream(data), CancellationToken.None);
        await new ChunkWriteClient().WriteAsync(new ChunkId(10), 1, [host.Endpoint], new MemoryStream(data, 0, 1000), CancellationToken.None);

        using var http = new HttpClient();
        using var response = await http.GetAsync(address);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\ndfs_chunk_replicas 2\n", text, StringComparison.Ordinal);
        Assert.Contains("\ndfs_chunk_replica_bytes 101000\n", text, StringComparison.Ordinal);
        Assert.Contains("dfs_chunk_transfers_in_progress", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_WithoutAMetricsPort_HasNoMetricsListener()
    {
        await using var host = await ChunkServerHost.StartAsync(new InMemoryChunkStore(), new ChunkServerOptions());
        Assert.Null(host.Services.GetRequiredService<ChunkServerListener>().MetricsAddress);
    }
}
