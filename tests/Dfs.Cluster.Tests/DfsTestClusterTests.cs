using System.Text;
using Dfs.Client.Chunks;
using Dfs.Client.Master;
using Dfs.Common.Hashing;
using Dfs.Raft.Consensus;
using Dfs.Raft.Kv;
using Dfs.Testing;
using Dfs.Testing.Cluster;

namespace Dfs.Cluster.Tests;

public sealed class DfsTestClusterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Cluster_OfThreeMastersAndThreeChunkServers_ElectsCommitsAndReplicatesAChunk()
    {
        await using var cluster = await DfsTestCluster.StartAsync();

        var leader = await cluster.WaitForLeaderAsync();
        await using (var client = MasterClient.FromConfig(cluster.Config))
        {
            await client.PutAsync(Bytes("volume"), Bytes("one"));
            var read = await client.GetAsync(Bytes("volume"));
            Assert.Equal("one", Text(read!.Value));
        }
        await WaitUntilAppliedEverywhereAsync(cluster, leader.Status.CommitIndex);

        var data = RandomBytes(3 * 1024 * 1024 + 5, seed: 7);
        var id = new ChunkId(0xC1);
        var chain = cluster.ChunkServers.Select(c => c.Endpoint).ToArray();
        var result = await new ChunkWriteClient().WriteAsync(id, 1, chain, new MemoryStream(data), CancellationToken.None);

        Assert.Equal(new ChunkInfo(id, 1, data.Length, Crc32C.Compute(data)), result.Chunk);
        foreach (var server in cluster.ChunkServers)
        {
            Assert.Equal(data, await ReadAllAsync(id, server.Endpoint));
            Assert.Equal(result.Chunk, server.Store.TryGet(id));
        }
    }

    [Fact]
    public async Task Leader_WhenKilled_AnotherIsElectedAndServesTheWrite()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { ChunkServers = 0 });
        var first = await cluster.WaitForLeaderAsync();

        await cluster.KillMasterAsync(first.Id);
        var second = await cluster.WaitForLeaderAsync(m => m.Id != first.Id);

        await using var client = MasterClient.FromConfig(cluster.Config);
        await client.PutAsync(Bytes("after"), Bytes("failover"));
        Assert.Equal("failover", Text((await client.GetAsync(Bytes("after")))!.Value));
        Assert.Equal(RaftRole.Leader, second.Raft.Status.Role);
        Assert.False(first.IsRunning);
    }

    [Fact]
    public async Task Master_WhenPartitioned_StopsLeadingOrFallsBehind_AndCatchesUpAfterHeal()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { ChunkServers = 0 });
        var leader = await cluster.WaitForLeaderAsync();

        cluster.Partition(leader.Id);
        var majorityLeader = await cluster.WaitForLeaderAsync(m => m.Id != leader.Id);
        await using (var client = MasterClient.FromConfig(cluster.Config with { Masters = cluster.Config.Masters.Where(m => m.Id != leader.Id).ToArray() }))
        {
            for (var i = 0; i < 5; i++)
            {
                await client.PutAsync(Bytes($"k{i}"), Bytes($"v{i}"));
            }
        }
        var committed = majorityLeader.Status.CommitIndex;
        Assert.True(leader.Status.CommitIndex < committed,
            $"the partitioned {leader.Id} committed {leader.Status.CommitIndex}, as far as the majority's {committed}: {cluster.Describe()}");

        cluster.Heal(leader.Id);

        // Back among the others, it sees their higher term and follows; then it receives what it missed.
        await cluster.WaitForLeaderAsync();
        await WaitUntilAppliedEverywhereAsync(cluster, committed);
        var value = await leader.Kv.ReadAsync(store => store.Get(Bytes("k4").Span)?.Value.ToArray(), linearizable: false, CancellationToken.None);
        Assert.Equal("v4", Text(value));
    }

    [Fact]
    public async Task ChunkServer_WhenKilledAndRestarted_KeepsItsChunks()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { Masters = 0 });
        var data = RandomBytes(200_000, seed: 3);
        var id = new ChunkId(0xBEEF);
        var chain = cluster.ChunkServers.Select(c => c.Endpoint).ToArray();
        var written = await new ChunkWriteClient().WriteAsync(id, 1, chain, new MemoryStream(data), CancellationToken.None);
        var server = cluster.ChunkServers[1];

        await cluster.KillChunkServerAsync(server.Id);
        Assert.False(server.IsRunning);
        await cluster.RestartChunkServerAsync(server.Id);

        Assert.Equal(written.Chunk, server.Store.TryGet(id));
        Assert.Equal(data, await ReadAllAsync(id, server.Endpoint));
    }

    [Fact]
    public async Task Cluster_WithAFakeClock_ElectsNoLeaderUntilTheClockMoves()
    {
        var time = new FakeTimeProvider();
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { ChunkServers = 0, Time = time });

        Assert.All(cluster.Masters, m => Assert.NotEqual(RaftRole.Leader, m.Raft.Status.Role));
        var leader = await AdvanceUntilLeaderAsync(cluster, time);

        Assert.Equal(RaftRole.Leader, leader.Raft.Status.Role);
    }

    private static async Task<TestMaster> AdvanceUntilLeaderAsync(DfsTestCluster cluster, FakeTimeProvider time)
    {
        TestMaster? leader = null;
        await Eventually.WaitUntilAsync(() =>
        {
            time.Advance(TimeSpan.FromMilliseconds(50));
            leader = cluster.Masters.SingleOrDefault(m => m.Raft.Status.Role == RaftRole.Leader);
            return leader is not null && cluster.Masters.All(m => m.Raft.Status.LeaderId == leader.Id);
        }, Timeout, cluster.Describe, "one leader once the fake clock moves");
        return leader!;
    }

    private static Task WaitUntilAppliedEverywhereAsync(DfsTestCluster cluster, long index) =>
        Eventually.WaitUntilAsync(() => cluster.RunningMasters.All(m => m.Status.AppliedIndex >= index), Timeout, cluster.Describe,
            $"every running master applied index {index}");

    private static async Task<byte[]> ReadAllAsync(ChunkId id, Dfs.Client.Chunks.Protocol.ChunkEndpoint replica)
    {
        using var destination = new MemoryStream();
        await new ChunkReadClient(new ChunkReadOptions { Timeout = TimeSpan.FromSeconds(10) })
            .ReadAsync(id, 1, 0, -1, [replica], destination, CancellationToken.None);
        return destination.ToArray();
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    private static string Text(byte[]? bytes) => bytes is null ? "(none)" : Encoding.UTF8.GetString(bytes);
}
