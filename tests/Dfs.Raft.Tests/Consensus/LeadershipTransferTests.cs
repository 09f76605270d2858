using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Messages;

namespace Dfs.Raft.Tests.Consensus;

public sealed class LeadershipTransferTests
{
    [Fact]
    public void LeadershipTransfer_TargetBecomesLeader()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        var term = leader.Term;

        Assert.True(leader.TransferLeadership("n3"));
        Assert.Equal(ProposeRejection.TransferInProgress, leader.Propose(TestCluster.Command("x")).Rejection);
        cluster.Stabilize();

        Assert.Equal("n3", cluster.Leader);
        Assert.Equal(term + 1, cluster["n3"].Term);
        Assert.Equal(RaftRole.Follower, leader.Role);
        Assert.Equal("n3", leader.LeaderId);
        // n2 heard from n1 moments before, yet granted the vote: the request was marked as a transfer.
        Assert.Contains(cluster.Delivered.OfType<RequestVote>(), r => r.From == "n3" && r.LeadershipTransfer && !r.PreVote);
    }

    [Fact]
    public void LeadershipTransfer_BringsTargetUpToDateBeforeTimeoutNow()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        cluster.Isolate("n3");
        for (var i = 0; i < 10; i++)
        {
            leader.Propose(TestCluster.Command($"c{i}"));
        }
        cluster.Stabilize();
        var last = leader.LastLogIndex;

        Assert.True(leader.TransferLeadership("n3"));
        cluster.Heal();
        cluster.TickAll(3);

        var timeoutAt = cluster.Delivered.FindIndex(m => m is TimeoutNow);
        Assert.True(timeoutAt >= 0, "No TimeoutNow was sent.");
        var caughtUpAt = cluster.Delivered.FindIndex(m => m is AppendEntriesResponse { From: "n3", Success: true } r && r.MatchIndex == last);
        Assert.InRange(caughtUpAt, 0, timeoutAt);
        Assert.Equal("n3", cluster.Leader);
        Assert.Equal(10, cluster.Members["n3"].AppliedCommands.Count);
    }

    [Fact]
    public void LeadershipTransfer_ResendsALostTimeoutNow()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        var timeoutNows = 0;
        cluster.Drop = m => m is TimeoutNow && ++timeoutNows == 1;

        Assert.True(leader.TransferLeadership("n2"));
        cluster.Stabilize();
        Assert.Equal("n1", cluster.Leader);
        cluster.TickAll(2);

        Assert.True(timeoutNows >= 2, $"Expected the lost TimeoutNow to be sent again; saw {timeoutNows} in all.");
        Assert.Equal("n2", cluster.Leader);
    }

    [Fact]
    public void LeadershipTransfer_AbortsAfterAnElectionTimeout()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        cluster.Isolate("n3");

        Assert.True(leader.TransferLeadership("n3"));
        Assert.Equal("n3", leader.LeadTransferee);
        cluster.TickAll(10);

        Assert.Null(leader.LeadTransferee);
        Assert.Equal(RaftRole.Leader, leader.Role);
        Assert.True(leader.Propose(TestCluster.Command("x")).Accepted);
    }

    [Fact]
    public void LeadershipTransfer_ToNonVoterOrSelf_IsRefused()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        Assert.False(leader.TransferLeadership("n1"));
        Assert.False(leader.TransferLeadership("n9"));
        Assert.False(cluster["n2"].TransferLeadership("n3"));
        Assert.Null(leader.LeadTransferee);
    }
}
