using System.Diagnostics;
using Dfs.Client.Master;
using Dfs.Client.Master.Protocol;
using Dfs.Testing.Cluster;

namespace Dfs.Raft.Tests.Master;

/// <summary>The status request of the internal protocol, against real masters.</summary>
public sealed class MasterStatusRequestTests
{
    [Fact]
    public async Task GetStatus_OfAFollower_IsThatFollowersOwnView()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { ChunkServers = 0 });
        var leader = await cluster.WaitForLeaderAsync();
        var follower = cluster.Masters.First(m => m.Id != leader.Id);
        await using var client = MasterClient.FromConfig(cluster.Config);

        var status = await client.GetStatusAsync(follower.Id);

        var expected = follower.Status;
        Assert.Equal(follower.Id, status.Id);
        Assert.Equal("Follower", status.Role);
        Assert.Equal(leader.Id, status.LeaderId);
        Assert.Equal(expected.Term, status.Term);
        Assert.Equal(expected.Members, status.Members);
        Assert.Equal(Environment.ProcessId, status.Pid);
        Assert.Empty(status.LaggingFollowers);
    }

    [Fact]
    public async Task GetStatus_OfTheLeader_CarriesItsIndexes()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { ChunkServers = 0 });
        var leader = await cluster.WaitForLeaderAsync();
        await using var client = MasterClient.FromConfig(cluster.Config);
        await client.PutAsync("k"u8.ToArray(), "v"u8.ToArray());

        var status = await client.GetStatusAsync(leader.Id);

        Assert.Equal("Leader", status.Role);
        Assert.Equal(leader.Id, status.LeaderId);
        Assert.True(status.CommitIndex >= 2, $"commit index {status.CommitIndex} after the leader's no-op and one put");
        Assert.True(status.AppliedIndex >= status.CommitIndex - 1 && status.LastLogIndex >= status.CommitIndex,
            $"applied {status.AppliedIndex}, commit {status.CommitIndex}, last {status.LastLogIndex}");
        Assert.Equal(new[] { "m1", "m2", "m3" }, status.Members.Order());
    }

    [Fact]
    public async Task GetStatus_OfAStoppedMaster_FailsWithinItsTimeout()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { ChunkServers = 0 });
        await cluster.WaitForLeaderAsync();
        await cluster.KillMasterAsync("m3");
        await using var client = MasterClient.FromConfig(cluster.Config);
        var started = Stopwatch.StartNew();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => client.GetStatusAsync("m3", TimeSpan.FromMilliseconds(500)));

        Assert.True(error is IOException or TimeoutException, $"expected IOException or TimeoutException, got {error}");
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"took {started.Elapsed}");
        Assert.Equal("m1", (await client.GetStatusAsync("m1")).Id);
    }

    [Fact]
    public async Task GetStatus_OfAMasterTheClientDoesNotKnow_IsRefused()
    {
        await using var client = new MasterClient([new Dfs.Common.Configuration.MasterNodeConfig { Id = "m1", RaftPort = 1 }]);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.GetStatusAsync("m9"));

        Assert.Contains("m9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StatusCodec_RoundTripsEveryField()
    {
        var status = new MasterStatus("m2", "Candidate", 7, null, 10, 9, 12, 4, ["m1", "m2", "m3"], 1234) { LaggingFollowers = ["m3"] };

        var decoded = MasterStatusCodec.Decode(MasterStatusCodec.Encode(status));

        Assert.Equal(status with { Members = decoded.Members, LaggingFollowers = decoded.LaggingFollowers }, decoded);
        Assert.Equal(status.Members, decoded.Members);
        Assert.Equal(status.LaggingFollowers, decoded.LaggingFollowers);
    }

    [Fact]
    public void StatusCodec_TruncatedOrPaddedBody_IsRefused()
    {
        var bytes = MasterStatusCodec.Encode(new MasterStatus("m1", "Leader", 1, "m1", 1, 1, 1, 0, ["m1"], 1));

        Assert.Throws<InvalidDataException>(() => MasterStatusCodec.Decode(bytes.AsSpan(0, bytes.Length - 1)));
        Assert.Throws<InvalidDataException>(() => MasterStatusCodec.Decode([.. bytes, 0]));
    }

    [Fact]
    public void Protocol_StatusRequest_ReadsBackAsAStatusRequest()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        MasterProtocol.WriteRequest(buffer, MasterRequestKind.Status, Guid.NewGuid(), 0, 0, []);

        var request = MasterProtocol.ReadRequest(new System.Buffers.ReadOnlySequence<byte>(buffer.WrittenMemory));

        Assert.Equal(MasterRequestKind.Status, request.Kind);
        Assert.True(request.Command.IsEmpty);
    }
}
