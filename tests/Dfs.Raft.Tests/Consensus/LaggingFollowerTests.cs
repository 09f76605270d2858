using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Messages;

namespace Dfs.Raft.Tests.Consensus;

public sealed class LaggingFollowerTests
{
    [Fact]
    public void Follower_AnsweringButNeverGettingEntries_IsReportedAfterTheLaggingTicks_AndClearedOnceCaughtUp()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        var laggingTicks = new RaftOptions { Id = "n1" }.LaggingTicks;
        // n3 hears heartbeats and answers them, but every message carrying entries to it is lost.
        cluster.Drop = m => m is AppendEntries { To: "n3", Entries.Count: > 0 };
        leader.Propose(TestCluster.Command("a"));
        cluster.TickAll(laggingTicks - 2);
        Assert.Empty(leader.LaggingFollowers());

        cluster.TickAll(4);

        var lag = Assert.Single(leader.LaggingFollowers());
        Assert.Equal("n3", lag.Id);
        Assert.True(lag.Match < leader.CommitIndex, $"match {lag.Match}, commit {leader.CommitIndex}");
        Assert.Equal(leader.CommitIndex, lag.Target);

        cluster.Drop = null;
        cluster.TickAll(3 * new RaftOptions { Id = "n1" }.ElectionTicks);
        Assert.Equal(leader.CommitIndex, cluster["n3"].CommitIndex);
        Assert.Empty(leader.LaggingFollowers());
    }

    [Fact]
    public void Follower_BehindAMovingCommitIndexButKeepingUp_IsNeverReported()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        var laggingTicks = new RaftOptions { Id = "n1" }.LaggingTicks;
        // n3's acknowledgements always arrive a tick late, so it is behind the commit index at every tick.
        var held = new List<RaftMessage>();
        cluster.Intercept = m =>
        {
            if (m is AppendEntriesResponse { From: "n3" })
            {
                held.Add(m);
                return null;
            }
            return m;
        };
        for (var i = 0; i < 3 * laggingTicks; i++)
        {
            leader.Propose(TestCluster.Command($"c{i}"));
            cluster.TickAll(1);
            var late = held.ToArray();
            held.Clear();
            foreach (var message in late)
            {
                cluster["n1"].Step(message);
            }
            Assert.Empty(leader.LaggingFollowers());
        }
        Assert.True(cluster["n3"].LastLogIndex > 3 * laggingTicks);
    }

    [Fact]
    public void LaggingFollowers_OnAFollower_IsEmpty()
    {
        var cluster = TestCluster.Of(3);
        cluster.Elect("n1");
        Assert.Empty(cluster["n2"].LaggingFollowers());
    }
}
