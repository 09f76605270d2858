using Dfs.Client.Master;
using Dfs.Client.Master.Protocol;
using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Hosting;
using Dfs.Raft.Master;
using Dfs.Raft.Master.Membership;
using Dfs.Testing;
using Dfs.Testing.Cluster;
using Microsoft.Extensions.DependencyInjection;

namespace Dfs.Raft.Tests.Master;

/// <summary>The operator's membership changes on in-process masters (our engine): listing, refusals, and removing the leader.</summary>
public sealed class MasterMembershipTests
{
    private static MasterMembershipService Membership(TestMaster master) => master.Services.GetRequiredService<MasterMembershipService>();

    [Fact]
    public async Task List_OnTheLeader_NamesEveryVoterAndTheLeader()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { Masters = 3, ChunkServers = 0 });
        var leader = await cluster.WaitForLeaderAsync();

        var group = Membership(leader).ListOnLeader();

        Assert.Equal(leader.Id, group.Leader);
        Assert.Equal(["m1", "m2", "m3"], group.Members.Select(m => m.Id));
        Assert.All(group.Members, m => Assert.Equal("voter", m.Role));
        Assert.Equal(leader.Id, Assert.Single(group.Members, m => m.Leader).Id);
    }

    [Fact]
    public async Task List_OnAFollower_IsRefusedNamingTheLeader()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { Masters = 3, ChunkServers = 0 });
        var leader = await cluster.WaitForLeaderAsync();
        var follower = cluster.Masters.First(m => m.Id != leader.Id);

        // The HTTP edge answers this exception with a 307 to the leader, as it does for the key-value routes.
        var refused = Assert.Throws<NotLeaderException>(() => Membership(follower).ListOnLeader());

        Assert.Equal(leader.Id, refused.LeaderId);
    }

    [Fact]
    public async Task Add_WithoutAnIdOrHost_IsRefusedAndChangesNothing()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { Masters = 1, ChunkServers = 0 });
        var leader = await cluster.WaitForLeaderAsync();

        var refused = await Assert.ThrowsAsync<MasterException>(() => Membership(leader).AddAsync(new AddMasterRequest("bad id!", "", 0, 70000, null), CancellationToken.None));

        Assert.Equal(MasterErrorCode.InvalidArgument, refused.Code);
        Assert.Contains("id must be", refused.Message);
        Assert.Contains("apiPort", refused.Message);
        Assert.Equal(["m1"], leader.Raft.Status.Members.Voters);
    }

    [Fact]
    public async Task Add_AMember_IsAConflict()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { Masters = 1, ChunkServers = 0 });
        var leader = await cluster.WaitForLeaderAsync();

        var refused = await Assert.ThrowsAsync<MasterException>(() =>
            Membership(leader).AddAsync(new AddMasterRequest("m1", "127.0.0.1", 9, 10, null), CancellationToken.None));

        Assert.Equal(MasterErrorCode.Conflict, refused.Code);
    }

    [Fact]
    public async Task Remove_AMasterNotInTheGroup_IsNotFound_AndTheLastVoterCannotLeave()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { Masters = 1, ChunkServers = 0 });
        var leader = await cluster.WaitForLeaderAsync();

        var unknown = await Assert.ThrowsAsync<MasterException>(() => Membership(leader).RemoveAsync("m9", CancellationToken.None));
        var last = await Assert.ThrowsAsync<MasterException>(() => Membership(leader).RemoveAsync("m1", CancellationToken.None));

        Assert.Equal(MasterErrorCode.NotFound, unknown.Code);
        Assert.Equal(MasterErrorCode.InvalidArgument, last.Code);
        Assert.Equal(["m1"], leader.Raft.Status.Members.Voters);
    }

    [Fact]
    public async Task Remove_TheLeader_StepsItDown_TheOthersElectOne_AndTheBookDropsIt()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { Masters = 3, ChunkServers = 0 });
        var leader = await cluster.WaitForLeaderAsync();

        var group = await Membership(leader).RemoveAsync(leader.Id, CancellationToken.None);

        Assert.DoesNotContain(group.Members, m => m.Id == leader.Id);
        await cluster.StopMasterAsync(leader.Id);
        var next = await cluster.WaitForLeaderAsync();
        Assert.NotEqual(leader.Id, next.Id);
        Assert.Equal(2, next.Raft.Status.Members.Voters.Count);
        await using var client = MasterClient.FromConfig(cluster.Config);
        Assert.True(await client.RefreshMastersAsync());
        Assert.Equal(cluster.Masters.Where(m => m.Id != leader.Id).Select(m => m.Id), client.Masters.Select(m => m.Id));
        // The in-process masters listen on ports the OS picked after their config (port 0) was read, so the book holds
        // port 0: the writes go through a client of the ports the harness knows.
        await using var writer = MasterClient.FromConfig(cluster.Config);
        Assert.True((await writer.PutAsync("after"u8.ToArray(), "1"u8.ToArray())).IsOk);
    }
}
