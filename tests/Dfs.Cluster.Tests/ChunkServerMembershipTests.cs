using System.Diagnostics;
using Dfs.Client.Chunks;
using Dfs.Raft.Consensus;
using Dfs.Raft.Kv;
using Dfs.Testing;
using Dfs.Testing.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Dfs.Cluster.Tests;

/// <summary>Chunk servers join the masters by heartbeats over real sockets; the leader restores the replication factor and a new leader knows every replica at once.</summary>
public sealed class ChunkServerMembershipTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ChunkServers_Register_ReplicasAreSeenEverywhere_ReReplicatedAfterADeath_AndKnownToANewLeaderAtOnce()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { ChunkServers = 4 });
        var leader = await cluster.WaitForLeaderAsync();

        // Nothing lists the chunk servers in the masters' state beforehand: they register by heartbeating.
        await Eventually.WaitUntilAsync(() => cluster.RunningMasters.All(m =>
                m.ChunkServers.View().Servers.Count(s => s.Alive) == 4 &&
                m.Services.GetRequiredService<KvStateMachine>().RangePrefix("C/"u8).Items.Count == 4),
            Timeout, () => Describe(cluster), "every master sees four live, registered chunk servers");

        var data = new byte[1024 * 1024 + 3];
        new Random(5).NextBytes(data);
        var id = new ChunkId(0x5EED_0001);
        var holders = cluster.ChunkServers.Take(3).ToArray();
        await new ChunkWriteClient().WriteAsync(id, 1, holders.Select(h => h.Endpoint).ToArray(), new MemoryStream(data), CancellationToken.None);
        await Eventually.WaitUntilAsync(() => cluster.RunningMasters.All(m => Ids(m, id).SequenceEqual(["c1", "c2", "c3"])),
            Timeout, () => Describe(cluster, id), "every master reports the chunk on c1, c2 and c3");

        await cluster.KillChunkServerAsync("c1");
        await Eventually.WaitUntilAsync(() => !leader.ChunkServers.View().Servers.Single(s => s.Id == "c1").Alive,
            Timeout, () => Describe(cluster, id), "the leader declares c1 dead", pollInterval: TimeSpan.FromMilliseconds(5));
        var declaredDead = Stopwatch.StartNew();
        await Eventually.WaitUntilAsync(() => Ids(leader, id).SequenceEqual(["c2", "c3", "c4"]),
            Timeout, () => Describe(cluster, id), "the leader reports the chunk back on three live servers", pollInterval: TimeSpan.FromMilliseconds(5));
        var restored = declaredDead.Elapsed;
        output.WriteLine($"chunk back to 3 live replicas {restored.TotalMilliseconds:F0} ms after c1 was declared dead");
        Assert.True(restored < TimeSpan.FromSeconds(10), $"re-replication took {restored}");
        Assert.Equal(data.Length, cluster.ChunkServer("c4").Store.TryGet(id)!.Length);

        // Every follower heard c4's report too, so whichever is elected answers at once.
        await Eventually.WaitUntilAsync(() => cluster.RunningMasters.All(m => Ids(m, id).SequenceEqual(["c2", "c3", "c4"])),
            Timeout, () => Describe(cluster, id), "every master sees the new replica");
        await cluster.KillMasterAsync(leader.Id);
        var next = await cluster.WaitForLeaderAsync(m => m.Id != leader.Id);
        Assert.Equal(RaftRole.Leader, next.Raft.Status.Role);
        Assert.Equal(["c2", "c3", "c4"], Ids(next, id));
        var dead = next.ChunkServers.View().Servers.Single(s => s.Id == "c1");
        Assert.False(dead.Alive);
    }

    [Fact]
    public async Task CorruptReplica_IsReportedDeletedAndReplacedFromAGoodOne()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { ChunkServers = 4 });
        var leader = await cluster.WaitForLeaderAsync();
        await WaitForFourAsync(cluster);
        var id = new ChunkId(0x5EED_0002);
        var data = new byte[300_000];
        new Random(6).NextBytes(data);
        await new ChunkWriteClient().WriteAsync(id, 1, cluster.ChunkServers.Take(3).Select(h => h.Endpoint).ToArray(), new MemoryStream(data),
            CancellationToken.None);
        await Eventually.WaitUntilAsync(() => Ids(leader, id).SequenceEqual(["c1", "c2", "c3"]), Timeout, () => Describe(cluster, id),
            "the leader reports the chunk on c1, c2 and c3");

        // A flipped byte on c2's disk, found by a verification pass.
        var bad = cluster.ChunkServer("c2");
        var file = Path.Combine(bad.Directory.Combine(bad.Id), "chunks", $"{id}.1.data");
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[1000] ^= 0xFF;
        await File.WriteAllBytesAsync(file, bytes);
        Assert.False(await bad.Store.VerifyAsync(id, CancellationToken.None));

        await Eventually.WaitUntilAsync(() => Ids(leader, id).SequenceEqual(["c1", "c3", "c4"]), Timeout, () => Describe(cluster, id),
            "the leader reports the chunk on c1, c3 and the new copy on c4");
        Assert.Null(bad.Store.TryGet(id));
        Assert.Equal(data.Length, cluster.ChunkServer("c4").Store.TryGet(id)!.Length);
    }

    [Fact]
    public async Task OperatorRoutes_ListTheServers_AndDrainGoesThroughTheLeader()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { ChunkServers = 4 });
        var leader = await cluster.WaitForLeaderAsync();
        await WaitForFourAsync(cluster);
        var follower = cluster.RunningMasters.First(m => m.Id != leader.Id);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        var listed = await http.GetStringAsync(new Uri(follower.ApiAddress, "/chunkservers"));
        using (var json = System.Text.Json.JsonDocument.Parse(listed))
        {
            var servers = json.RootElement.GetProperty("servers").EnumerateArray().ToArray();
            Assert.Equal(["c1", "c2", "c3", "c4"], servers.Select(s => s.GetProperty("id").GetString()));
            Assert.All(servers, s => Assert.True(s.GetProperty("alive").GetBoolean()));
            Assert.Equal(3, json.RootElement.GetProperty("replicationFactor").GetInt32());
        }

        var redirected = await http.PostAsync(new Uri(follower.ApiAddress, "/chunkservers/c4/drain"), null);
        Assert.Equal(System.Net.HttpStatusCode.TemporaryRedirect, redirected.StatusCode);
        var drained = await http.PostAsync(new Uri(leader.ApiAddress, "/chunkservers/c4/drain"), null);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, drained.StatusCode);
        var unknown = await http.PostAsync(new Uri(leader.ApiAddress, "/chunkservers/c9/drain"), null);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, unknown.StatusCode);

        await Eventually.WaitUntilAsync(() => cluster.RunningMasters.All(m => m.ChunkServers.View().Servers.Single(s => s.Id == "c4").Draining),
            Timeout, () => Describe(cluster), "every master knows c4 drains");
        Assert.DoesNotContain("c4", Enumerable.Range(0, 20).SelectMany(_ => leader.ChunkServers.Place(3).Select(p => p.Id)));

        var undrained = await http.DeleteAsync(new Uri(leader.ApiAddress, "/chunkservers/c4/drain"));
        Assert.Equal(System.Net.HttpStatusCode.NoContent, undrained.StatusCode);
        Assert.False(leader.ChunkServers.View().Servers.Single(s => s.Id == "c4").Draining);
    }

    private static Task WaitForFourAsync(DfsTestCluster cluster) =>
        Eventually.WaitUntilAsync(() => cluster.RunningMasters.All(m => m.ChunkServers.View().Servers.Count(s => s.Alive) == 4),
            Timeout, () => Describe(cluster), "every master sees four live chunk servers");

    private static string[] Ids(TestMaster master, ChunkId id) =>
        master.ChunkServers.Replicas(id.Value, 1).Select(r => r.Id).Order(StringComparer.Ordinal).ToArray();

    private static string Describe(DfsTestCluster cluster, ChunkId? id = null) =>
        string.Join(" | ", cluster.RunningMasters.Select(m =>
            $"{m.Id} ({m.Raft.Status.Role}): " + string.Join(",", m.ChunkServers.View().Servers.Select(s => $"{s.Id}{(s.Alive ? "" : "✝")}:{s.ChunkCount}")) +
            (id is { } chunk ? " holders=" + string.Join(",", Ids(m, chunk)) : "")));
}
