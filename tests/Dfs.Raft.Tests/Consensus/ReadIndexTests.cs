using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Messages;

namespace Dfs.Raft.Tests.Consensus;

public sealed class ReadIndexTests
{
    [Fact]
    public void ReadIndex_WaitsForCurrentTermCommit()
    {
        var cluster = TestCluster.Of(3);
        // The new leader's no-op does not get through yet; heartbeats and their answers do.
        cluster.Drop = m => m is AppendEntries { Entries.Count: > 0 };
        var leader = cluster.Elect("n1");
        Assert.Equal(0, leader.CommitIndex);

        Assert.True(leader.RequestRead(7));
        cluster.TickAll(3);
        Assert.Empty(cluster.Members["n1"].ReadStates);

        cluster.Drop = null;
        cluster.TickAll(2);
        Assert.Equal(1, leader.CommitIndex);
        var read = Assert.Single(cluster.Members["n1"].ReadStates);
        Assert.Equal(new ReadState(7, 1), read);
    }

    [Fact]
    public void ReadIndex_NeedsQuorumHeartbeat()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        leader.Propose(TestCluster.Command("a"));
        cluster.Stabilize();
        var commit = leader.CommitIndex;

        cluster.Isolate("n1");
        Assert.True(leader.RequestRead(1));
        cluster.TickAll(3);
        Assert.Empty(cluster.Members["n1"].ReadStates);

        // One follower's echo plus the leader itself is a quorum of three.
        cluster.Heal();
        cluster.Isolate("n3");
        cluster.TickAll(1);
        Assert.Equal([new ReadState(1, commit)], cluster.Members["n1"].ReadStates);
    }

    [Fact]
    public void ReadIndex_ConfirmsABatchWithOneHeartbeatRound()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        var before = cluster.Delivered.Count;

        for (var id = 1; id <= 5; id++)
        {
            Assert.True(leader.RequestRead(id));
        }
        cluster.Stabilize();

        Assert.Equal([1L, 2L, 3L, 4L, 5L], cluster.Members["n1"].ReadStates.Select(r => r.RequestId));
        Assert.All(cluster.Members["n1"].ReadStates, r => Assert.Equal(leader.CommitIndex, r.ReadIndex));
        // One message to each follower and one answer from each: four in all.
        Assert.Equal(4, cluster.Delivered.Count - before);
    }

    [Fact]
    public void ReadIndex_IsTheCommitIndexWhenAsked()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        var commit = leader.CommitIndex;

        Assert.True(leader.RequestRead(1));
        // Later writes do not raise the index of an earlier read.
        leader.Propose(TestCluster.Command("later"));
        cluster.Stabilize();

        Assert.Equal([new ReadState(1, commit)], cluster.Members["n1"].ReadStates);
        Assert.True(leader.CommitIndex > commit);
    }

    [Fact]
    public void ReadIndex_SingleNodeGroupConfirmsAtOnce()
    {
        var cluster = TestCluster.Of(1);
        var leader = cluster.Elect("n1");

        Assert.True(leader.RequestRead(42));
        var ready = cluster.HandleReady("n1");

        Assert.NotNull(ready);
        Assert.Equal([new ReadState(42, leader.CommitIndex)], ready.ReadStates);
    }

    [Fact]
    public void ReadIndex_OnFollower_IsRefused()
    {
        var cluster = TestCluster.Of(3);
        cluster.Elect("n1");
        Assert.False(cluster["n2"].RequestRead(1));
    }

    [Fact]
    public void ReadIndex_DeposedLeader_NeverConfirms()
    {
        var cluster = TestCluster.Of(3);
        var old = cluster.Elect("n1");
        cluster.Isolate("n1");
        Assert.True(old.RequestRead(9));

        // The others elect a new leader; the old one learns of it and drops its reads.
        cluster.TickAll(40);
        cluster.Heal();
        cluster.TickAll(5);

        Assert.NotEqual("n1", cluster.Leader);
        Assert.Empty(cluster.Members["n1"].ReadStates);
    }
}
