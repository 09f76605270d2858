using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Client.Chunks.Protocol;

namespace Dfs.ChunkServer.Tests.Pipeline;

public sealed class ChunkReadTests
{
    private static async Task<byte[]> WriteAsync(ChunkCluster cluster, ChunkId id, long version, int size, int seed, params int[] servers)
    {
        var data = TestData.Bytes(size, seed);
        await new ChunkWriteClient().WriteAsync(id, version, servers.Select(i => cluster.Endpoints[i]).ToArray(), new MemoryStream(data), CancellationToken.None);
        return data;
    }

    [Fact]
    public async Task Read_FromACorruptReplica_FallsOverToAGoodOne_AndReturnsOnlyGoodBytes()
    {
        await using var cluster = await ChunkCluster.StartInMemoryAsync(2);
        var id = new ChunkId(100);
        var data = await WriteAsync(cluster, id, 1, 500_000, seed: 1, 0, 1);
        // A bit flipped in the third block of the first replica: its first two blocks still verify.
        ((InMemoryChunkStore)cluster.Stores[0]).CorruptStoredByte(id, 3 * 65_536 - 10);

        var read = await ChunkCluster.ReadAllAsync(id, 1, cluster.Endpoints[0], cluster.Endpoints[1]);

        Assert.Equal(data, read);
    }

    [Fact]
    public async Task Read_FromOnlyACorruptReplica_FailsWithCorrupt_AfterDeliveringOnlyVerifiedBytes()
    {
        await using var cluster = await ChunkCluster.StartInMemoryAsync(1);
        var id = new ChunkId(101);
        var data = await WriteAsync(cluster, id, 1, 500_000, seed: 2, 0);
        ((InMemoryChunkStore)cluster.Stores[0]).CorruptStoredByte(id, 3 * 65_536 - 10);
        using var destination = new MemoryStream();

        var error = await Assert.ThrowsAsync<ChunkServerException>(() =>
            new ChunkReadClient().ReadAsync(id, 1, 0, -1, [cluster.Endpoints[0]], destination, CancellationToken.None));

        Assert.Equal(ChunkErrorCode.Corrupt, error.Code);
        Assert.True(destination.Length <= 2 * 65_536, $"Only the two intact blocks may be delivered; {destination.Length} bytes were.");
        Assert.Equal(data.AsSpan(0, (int)destination.Length).ToArray(), destination.ToArray());
    }

    [Fact]
    public async Task Read_OfAStaleReplica_IsRefusedWithStaleVersion()
    {
        await using var cluster = await ChunkCluster.StartInMemoryAsync(1);
        var id = new ChunkId(102);
        await WriteAsync(cluster, id, 3, 1000, seed: 3, 0);
        using var destination = new MemoryStream();

        var error = await Assert.ThrowsAsync<ChunkServerException>(() =>
            new ChunkReadClient().ReadAsync(id, 4, 0, -1, [cluster.Endpoints[0]], destination, CancellationToken.None));

        Assert.Equal(ChunkErrorCode.StaleVersion, error.Code);
        Assert.Equal(0, destination.Length);
    }

    [Fact]
    public async Task Read_SkipsAStaleReplica_AndReadsTheCurrentOne()
    {
        await using var cluster = await ChunkCluster.StartInMemoryAsync(2);
        var id = new ChunkId(103);
        await WriteAsync(cluster, id, 1, 70_000, seed: 4, 0);
        var current = await WriteAsync(cluster, id, 2, 90_000, seed: 5, 1);

        var read = await ChunkCluster.ReadAllAsync(id, 2, cluster.Endpoints[0], cluster.Endpoints[1]);

        Assert.Equal(current, read);
    }

    [Fact]
    public async Task Read_OfARange_ReturnsExactlyThoseBytes()
    {
        await using var cluster = await ChunkCluster.StartInMemoryAsync(1);
        var id = new ChunkId(104);
        var data = await WriteAsync(cluster, id, 1, 300_000, seed: 6, 0);
        using var destination = new MemoryStream();

        var info = await new ChunkReadClient().ReadAsync(id, 1, 65_000, 140_001, [cluster.Endpoints[0]], destination, CancellationToken.None);

        Assert.Equal(data.AsSpan(65_000, 140_001).ToArray(), destination.ToArray());
        Assert.Equal(300_000, info.Length);
    }

    [Fact]
    public async Task Read_FromAnUnreachableReplica_FallsOverToTheNext()
    {
        await using var cluster = await ChunkCluster.StartInMemoryAsync(2);
        var id = new ChunkId(105);
        var data = await WriteAsync(cluster, id, 1, 200_000, seed: 7, 0, 1);
        await cluster.StopAsync(0);

        var read = await ChunkCluster.ReadAllAsync(id, 1, cluster.Endpoints[0], cluster.Endpoints[1]);

        Assert.Equal(data, read);
    }
}
