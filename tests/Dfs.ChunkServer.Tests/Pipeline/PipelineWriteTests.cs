using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Client.Chunks.Protocol;
using Dfs.Common.Hashing;
using Microsoft.Extensions.Logging;

namespace Dfs.ChunkServer.Tests.Pipeline;

public sealed class PipelineWriteTests
{
    private static readonly TimeSpan GateTimeout = TimeSpan.FromSeconds(10);

    private static ChunkWriteClient TestClient(ChunkWriteOptions? options = null) => new((options ?? new ChunkWriteOptions()) with
    {
        Logger = Environment.GetEnvironmentVariable("DFS_TEST_LOG") == "1"
            ? LoggerFactory.Create(l => l.AddSimpleConsole().SetMinimumLevel(LogLevel.Debug)).CreateLogger("writer")
            : null,
    });

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    [InlineData(65_537)]
    [InlineData(1_000_003)]
    public async Task ThreeNodeChain_WritesOddSizes_AndEveryReplicaReadsBackTheSameBytes(int size)
    {
        await using var cluster = await ChunkCluster.StartInMemoryAsync(3);
        var data = TestData.Bytes(size, seed: size);
        var id = new ChunkId(0x1000 + (ulong)size);

        var result = await TestClient().WriteAsync(id, 1, cluster.Endpoints, new MemoryStream(data), CancellationToken.None);

        Assert.Equal(new ChunkInfo(id, 1, size, Crc32C.Compute(data)), result.Chunk);
        Assert.Equal(cluster.Endpoints, result.Replicas);
        Assert.Equal(0, result.Recoveries);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(result.Chunk, cluster.Stores[i].TryGet(id));
            Assert.Equal(data, await ChunkCluster.ReadAllAsync(id, 1, cluster.Endpoints[i]));
        }
    }

    [Fact]
    public async Task FirstPacket_ReachesTheLastReplica_BeforeTheWriterSendsItsLastPacket()
    {
        var tail = new ObservedChunkStore(new InMemoryChunkStore());
        await using var cluster = await ChunkCluster.StartAsync([new InMemoryChunkStore(), new InMemoryChunkStore(), tail]);
        var data = TestData.Bytes(4 * 1024 * 1024, seed: 7);
        // The window holds the whole chunk, so nothing but the servers' own forwarding can get a packet to the tail early.
        var client = new ChunkWriteClient(new ChunkWriteOptions { WindowPackets = 1024 });
        var lastPacket = data.Length - ChunkWire.MaxPacketBytes;
        var source = new GatedStream(data, lastPacket, tail.FirstWrite, GateTimeout, "the first packet to reach the third replica's store");

        var result = await client.WriteAsync(new ChunkId(42), 1, cluster.Endpoints, source, CancellationToken.None);

        Assert.True(source.PassedGate, "The last packet should have been read from the source only after the third replica received the first.");
        Assert.Equal(3, result.Replicas.Count);
        Assert.Equal(data, await ChunkCluster.ReadAllAsync(new ChunkId(42), 1, cluster.Endpoints[2]));
    }

    [Fact]
    public async Task Primary_ForwardsAPacketDownstream_BeforeItsOwnCopyIsWritten()
    {
        var primary = new ObservedChunkStore(new InMemoryChunkStore());
        var tail = new ObservedChunkStore(new InMemoryChunkStore());
        // The primary's local writes cannot finish until the tail has received bytes: only forwarding first gets there.
        primary.WriteGate = tail.FirstWrite;
        await using var cluster = await ChunkCluster.StartAsync([primary, new InMemoryChunkStore(), tail]);
        var data = TestData.Bytes(300_000, seed: 8);

        var result = await new ChunkWriteClient().WriteAsync(new ChunkId(43), 1, cluster.Endpoints, new MemoryStream(data), CancellationToken.None);

        Assert.Equal(0, result.Recoveries);
        Assert.Equal(cluster.Endpoints, result.Replicas);
        Assert.Equal(data, await ChunkCluster.ReadAllAsync(new ChunkId(43), 1, cluster.Endpoints[0]));
    }

    [Fact]
    public async Task DiskFull_OnEveryReplica_SurfacesAsDiskFullToTheWriter()
    {
        await using var cluster = await ChunkCluster.StartInMemoryAsync(3, capacityBytes: 1024 * 1024);
        var data = TestData.Bytes(3 * 1024 * 1024, seed: 9);

        var error = await Assert.ThrowsAsync<ChunkServerException>(() =>
            new ChunkWriteClient().WriteAsync(new ChunkId(44), 1, cluster.Endpoints, new MemoryStream(data), CancellationToken.None));

        Assert.Equal(ChunkErrorCode.DiskFull, error.Code);
        Assert.Equal(ChunkError.DiskFull, error.ChunkError);
        Assert.All(cluster.Stores, store => Assert.Null(store.TryGet(new ChunkId(44))));
    }

    [Fact]
    public async Task DiskFull_OnOneReplica_LeavesItOut_AndTheWriteFinishesOnTheOthers()
    {
        await using var cluster = await ChunkCluster.StartAsync([new InMemoryChunkStore(), new InMemoryChunkStore(1024 * 1024), new InMemoryChunkStore()]);
        var data = TestData.Bytes(3 * 1024 * 1024, seed: 10);

        var result = await TestClient().WriteAsync(new ChunkId(45), 1, cluster.Endpoints, new MemoryStream(data), CancellationToken.None);

        Assert.Equal([cluster.Endpoints[0], cluster.Endpoints[2]], result.Replicas);
        Assert.Equal(2, result.Chunk.Version);
        Assert.Null(cluster.Stores[1].TryGet(new ChunkId(45)));
        Assert.Equal(data, await ChunkCluster.ReadAllAsync(new ChunkId(45), 2, cluster.Endpoints[2]));
    }

    [Fact]
    public async Task MiddleServerStops_MidWrite_WriteCompletesOnTheSurvivorsWithVersionPlusOne()
    {
        await using var cluster = await ChunkCluster.StartInMemoryAsync(3);
        var data = TestData.Bytes(6 * 1024 * 1024 + 123, seed: 11);
        var acked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var client = new ChunkWriteClient(new ChunkWriteOptions
        {
            WindowPackets = 8,
            OnAcknowledged = offset =>
            {
                if (offset >= 1024 * 1024)
                {
                    acked.TrySetResult();
                }
            },
        });
        var source = new GatedStream(data, 3 * 1024 * 1024, stopped.Task, GateTimeout, "the middle server to be stopped");
        var write = client.WriteAsync(new ChunkId(46), 5, cluster.Endpoints, source, CancellationToken.None);

        await acked.Task.WaitAsync(GateTimeout);
        await cluster.StopAsync(1);
        stopped.SetResult();
        var result = await write;

        Assert.Equal([cluster.Endpoints[0], cluster.Endpoints[2]], result.Replicas);
        Assert.Equal(6, result.Chunk.Version);
        Assert.True(result.Recoveries >= 1);
        Assert.Equal(new ChunkInfo(new ChunkId(46), 6, data.Length, Crc32C.Compute(data)), result.Chunk);
        Assert.Equal(data, await ChunkCluster.ReadAllAsync(new ChunkId(46), 6, cluster.Endpoints[0]));
        Assert.Equal(data, await ChunkCluster.ReadAllAsync(new ChunkId(46), 6, cluster.Endpoints[2]));
        Assert.Null(cluster.Stores[1].TryGet(new ChunkId(46)));
    }

    [Fact]
    public async Task PrimaryStops_MidWrite_WriteCompletesOnTheOtherTwo()
    {
        await using var cluster = await ChunkCluster.StartInMemoryAsync(3);
        var data = TestData.Bytes(4 * 1024 * 1024, seed: 12);
        var acked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var client = new ChunkWriteClient(new ChunkWriteOptions
        {
            WindowPackets = 8,
            OnAcknowledged = offset =>
            {
                if (offset > 0)
                {
                    acked.TrySetResult();
                }
            },
        });
        var source = new GatedStream(data, 2 * 1024 * 1024, stopped.Task, GateTimeout, "the primary to be stopped");
        var write = client.WriteAsync(new ChunkId(47), 1, cluster.Endpoints, source, CancellationToken.None);

        await acked.Task.WaitAsync(GateTimeout);
        await cluster.StopAsync(0);
        stopped.SetResult();
        var result = await write;

        Assert.Equal([cluster.Endpoints[1], cluster.Endpoints[2]], result.Replicas);
        Assert.Equal(2, result.Chunk.Version);
        Assert.Equal(data, await ChunkCluster.ReadAllAsync(new ChunkId(47), 2, cluster.Endpoints[1], cluster.Endpoints[2]));
    }

    [Fact]
    public async Task TailFailsToCommit_TheOthersAreStillResumable_AndTheWriteCommitsOnThemWithVersionPlusOne()
    {
        var tail = new ObservedChunkStore(new InMemoryChunkStore()) { CommitFault = new IOException("The disk failed during the commit.") };
        await using var cluster = await ChunkCluster.StartAsync([new InMemoryChunkStore(), new InMemoryChunkStore(), tail]);
        var data = TestData.Bytes(700_001, seed: 13);

        var result = await TestClient().WriteAsync(new ChunkId(49), 1, cluster.Endpoints, new MemoryStream(data), CancellationToken.None);

        Assert.Equal([cluster.Endpoints[0], cluster.Endpoints[1]], result.Replicas);
        Assert.Equal(new ChunkInfo(new ChunkId(49), 2, data.Length, Crc32C.Compute(data)), result.Chunk);
        Assert.Equal(result.Chunk, cluster.Stores[0].TryGet(new ChunkId(49)));
        Assert.Equal(result.Chunk, cluster.Stores[1].TryGet(new ChunkId(49)));
        Assert.Null(tail.TryGet(new ChunkId(49)));
    }

    [Fact]
    public async Task AllServersUnreachable_WriteFailsWithUnreachable()
    {
        var cluster = await ChunkCluster.StartInMemoryAsync(2);
        var endpoints = cluster.Endpoints;
        await cluster.DisposeAsync();

        var error = await Assert.ThrowsAsync<ChunkServerException>(() =>
            new ChunkWriteClient().WriteAsync(new ChunkId(48), 1, endpoints, new MemoryStream(new byte[10]), CancellationToken.None));

        Assert.Equal(ChunkErrorCode.Unreachable, error.Code);
    }
}
