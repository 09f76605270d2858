using Dfs.Client.Kv;
using Dfs.Client.Master;
using Dfs.Common.Configuration;

namespace Dfs.Raft.Tests.Master;

/// <summary>The master client following the group's book: new masters used, removed ones dropped.</summary>
public sealed class MasterClientMembershipTests
{
    private static MasterNodeConfig Master(string id, int port) => new() { Id = id, Host = "127.0.0.1", RaftPort = port, ApiPort = 0 };

    [Fact]
    public async Task UpdateMasters_ReachesALeaderTheOldListDidNotName()
    {
        // m1 follows m2, a master the client was not started with.
        using var follower = new DirectMasterKv { FollowerOf = (true, "m2") };
        using var leader = new DirectMasterKv();
        await using var followerServer = await ClientProtocolServer.StartAsync(follower);
        await using var leaderServer = await ClientProtocolServer.StartAsync(leader);
        await using var client = new MasterClient([Master("m1", followerServer.Port)]);

        Assert.True(client.UpdateMasters([Master("m1", followerServer.Port), Master("m2", leaderServer.Port)]));
        Assert.True((await client.PutAsync("k"u8.ToArray(), "v"u8.ToArray())).IsOk);

        Assert.Equal("m2", client.LeaderGuess);
        Assert.NotNull(leader.Store.Get("k"u8));
    }

    [Fact]
    public async Task UpdateMasters_WithTheSameList_ChangesNothing_AndDroppingTheGuessedLeaderMovesTheGuess()
    {
        await using var client = new MasterClient([Master("m1", 1), Master("m2", 2)]);

        Assert.False(client.UpdateMasters([Master("m1", 1), Master("m2", 2)]));
        Assert.True(client.UpdateMasters([Master("m2", 2), Master("m3", 3)]));

        Assert.Equal(["m2", "m3"], client.Masters.Select(m => m.Id));
        Assert.Equal("m2", client.LeaderGuess);
        Assert.Throws<ArgumentException>(() => client.UpdateMasters([]));
    }

    [Fact]
    public async Task RefreshMasters_AdoptsTheBookTheStoreHolds()
    {
        using var kv = new DirectMasterKv();
        await using var server = await ClientProtocolServer.StartAsync(kv);
        await using var client = new MasterClient([Master("m1", server.Port)]);
        Assert.False(await client.RefreshMastersAsync());

        MasterNodeConfig[] book = [Master("m1", server.Port), Master("m4", 7004) with { ApiPort = 7104, ConsensusPort = 8004 }];
        await client.ExecuteAsync(KvCommand.Put(MasterBook.Key, MasterBook.Encode(book)));

        Assert.True(await client.RefreshMastersAsync());
        Assert.Equal(book, client.Masters);
    }

    [Fact]
    public void Book_RoundTrips_AndAMalformedOneIsRefused()
    {
        MasterNodeConfig[] book = [Master("m2", 7002), Master("m4", 7004) with { Host = "db4.example", ApiPort = 7104 }];

        Assert.Equal(book, MasterBook.Decode(MasterBook.Encode(book)));
        Assert.Throws<InvalidDataException>(() => MasterBook.Decode("not json"u8));
        Assert.Throws<InvalidDataException>(() => MasterBook.Decode("[{\"id\":\"\",\"host\":\"h\"}]"u8));
    }
}
