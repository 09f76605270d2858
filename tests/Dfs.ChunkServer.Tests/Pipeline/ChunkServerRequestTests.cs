using System.Net.Sockets;
using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Client.Chunks.Protocol;
using Dfs.Common.Framing;

namespace Dfs.ChunkServer.Tests.Pipeline;

public sealed class ChunkServerRequestTests
{
    [Theory]
    [InlineData("announces a 2 GiB payload", new byte[] { 0xff, 0xff, 0xff, 0x7f, 10, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0 })]
    [InlineData("is an unknown frame type", new byte[] { 0, 0, 0, 0, 0x99, 0x99, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0 })]
    [InlineData("is a WriteBlock with a truncated payload", new byte[] { 3, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3 })]
    public async Task GarbageOnAConnection_GetsAnErrorAndAClose_AndTheServerStillServesOthers(string what, byte[] garbage)
    {
        await using var cluster = await ChunkCluster.StartInMemoryAsync(1);
        var endpoint = cluster.Endpoints[0];
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            // Raw bytes, bypassing the framing: what a confused or hostile peer sends.
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token);
            using var stream = new NetworkStream(socket, ownsSocket: true);
            await stream.WriteAsync(garbage, timeout.Token);

            var answer = new byte[4096];
            var total = 0;
            int n;
            while ((n = await stream.ReadAsync(answer.AsMemory(total), timeout.Token)) > 0)
            {
                total += n;
            }

            Assert.True(total >= FrameHeader.Size, $"A frame that {what} should be answered with an Error frame before the close; got {total} bytes.");
            Assert.Equal((ushort)ChunkFrameType.Error, FrameHeader.Read(answer).Type);
        }

        var data = TestData.Bytes(100_000, seed: 1);
        var result = await new ChunkWriteClient().WriteAsync(new ChunkId(1), 1, cluster.Endpoints, new MemoryStream(data), CancellationToken.None);
        Assert.Equal(data, await ChunkCluster.ReadAllAsync(new ChunkId(1), 1, endpoint));
        Assert.Single(result.Replicas);
    }

    [Fact]
    public async Task Report_ListsCommittedReplicasAndUsage()
    {
        await using var cluster = await ChunkCluster.StartInMemoryAsync(1);
        var writer = new ChunkWriteClient();
        for (var i = 1; i <= 3; i++)
        {
            await writer.WriteAsync(new ChunkId((ulong)i), i, cluster.Endpoints, new MemoryStream(TestData.Bytes(1000 * i, i)), CancellationToken.None);
        }
        await using var client = new ChunkServerClient(cluster.Endpoints[0]);

        var report = await client.GetReportAsync(CancellationToken.None);

        Assert.Equal(cluster.Stores[0].List(), report.Chunks.OrderBy(c => c.Id).ToArray());
        Assert.Equal(3, report.Chunks.Count);
        Assert.Equal(6000, report.Usage.UsedBytes);
        Assert.Equal(3, report.Usage.ChunkCount);
    }

    [Fact]
    public async Task Delete_RemovesTheNamedReplicas_AndCountsThoseThatWereHeld()
    {
        await using var cluster = await ChunkCluster.StartInMemoryAsync(1);
        var writer = new ChunkWriteClient();
        await writer.WriteAsync(new ChunkId(1), 1, cluster.Endpoints, new MemoryStream(new byte[10]), CancellationToken.None);
        await writer.WriteAsync(new ChunkId(2), 1, cluster.Endpoints, new MemoryStream(new byte[10]), CancellationToken.None);
        await using var client = new ChunkServerClient(cluster.Endpoints[0]);

        var deleted = await client.DeleteAsync([new ChunkId(1), new ChunkId(99)], CancellationToken.None);

        Assert.Equal(1, deleted);
        Assert.Null(cluster.Stores[0].TryGet(new ChunkId(1)));
        Assert.NotNull(cluster.Stores[0].TryGet(new ChunkId(2)));
    }

    [Fact]
    public async Task CopyFrom_FetchesACommittedReplicaFromAPeer()
    {
        await using var cluster = await ChunkCluster.StartInMemoryAsync(2);
        var data = TestData.Bytes(333_333, seed: 3);
        var written = await new ChunkWriteClient().WriteAsync(new ChunkId(7), 4, [cluster.Endpoints[0]], new MemoryStream(data), CancellationToken.None);
        await using var client = new ChunkServerClient(cluster.Endpoints[1]);

        var copied = await client.CopyFromAsync(new ChunkId(7), 4, cluster.Endpoints[0], CancellationToken.None);

        Assert.Equal(written.Chunk, copied);
        Assert.Equal(data, await ChunkCluster.ReadAllAsync(new ChunkId(7), 4, cluster.Endpoints[1]));
    }

    [Fact]
    public async Task CopyFrom_AStaleSource_IsRefused_AndStoresNothing()
    {
        await using var cluster = await ChunkCluster.StartInMemoryAsync(2);
        await new ChunkWriteClient().WriteAsync(new ChunkId(8), 1, [cluster.Endpoints[0]], new MemoryStream(new byte[1000]), CancellationToken.None);
        await using var client = new ChunkServerClient(cluster.Endpoints[1]);

        var error = await Assert.ThrowsAsync<ChunkServerException>(() => client.CopyFromAsync(new ChunkId(8), 2, cluster.Endpoints[0], CancellationToken.None));

        Assert.Equal(ChunkErrorCode.StaleVersion, error.Code);
        Assert.Null(cluster.Stores[1].TryGet(new ChunkId(8)));
    }

    [Fact]
    public async Task Status_ReportsCommittedAndAbsentChunks()
    {
        await using var cluster = await ChunkCluster.StartInMemoryAsync(1);
        var written = await new ChunkWriteClient().WriteAsync(new ChunkId(9), 2, cluster.Endpoints, new MemoryStream(new byte[1234]), CancellationToken.None);
        await using var client = new ChunkServerClient(cluster.Endpoints[0]);

        var held = await client.GetStatusAsync(new ChunkId(9), CancellationToken.None);
        var absent = await client.GetStatusAsync(new ChunkId(10), CancellationToken.None);

        Assert.Equal(new StatusReply(ChunkState.Committed, 2, 1234, written.Chunk.Checksum), held);
        Assert.Equal(ChunkState.Absent, absent.State);
    }
}
