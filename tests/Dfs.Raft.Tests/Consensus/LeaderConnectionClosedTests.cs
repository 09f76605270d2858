using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Messages;

namespace Dfs.Raft.Tests.Consensus;

/// <summary>
/// <see cref="RaftNode.ReportPeerClosedConnection"/>: a follower whose leader's connection closed (its process died) campaigns
/// without waiting out the election timeout, staggered by rank so the survivors do not split the vote; the pre-vote keeps a
/// false alarm from deposing a live leader. No test here ticks a node through an election timeout before the new leader is in place.
/// </summary>
public sealed class LeaderConnectionClosedTests
{
    [Fact]
    public void LeaderConnectionClosed_SeenByBothFollowers_TheFirstByRankLeadsInTheNextTerm_WithoutAnyTick()
    {
        var cluster = TestCluster.Of(3);
        var oldTerm = cluster.Elect("n1").Term;
        cluster.Crash("n1");

        cluster["n2"].ReportPeerClosedConnection("n1");
        cluster["n3"].ReportPeerClosedConnection("n1");
        cluster.Stabilize();

        Assert.Equal("n2", cluster.Leader);
        Assert.Equal(oldTerm + 1, cluster["n2"].Term);
        Assert.Equal("n2", cluster["n3"].LeaderId);
        Assert.Equal(oldTerm + 1, cluster["n3"].Term);

        // The second by rank voted, so its stagger is over: it does not campaign against the new leader a moment later.
        cluster.TickAll(2 * cluster["n3"].LeaderLossStaggerStep);
        Assert.Equal("n2", cluster.Leader);
        Assert.Equal(oldTerm + 1, cluster["n2"].Term);
    }

    [Fact]
    public void LeaderConnectionClosed_SeenOnlyByTheSecondByRank_ItWaitsItsStagger_AndAFollowerStillInItsLeaseIgnoresThePreVote()
    {
        var cluster = TestCluster.Of(3);
        var oldTerm = cluster.Elect("n1").Term;
        cluster.Crash("n1");

        var n3 = cluster["n3"];
        n3.ReportPeerClosedConnection("n1");
        Assert.Equal(RaftRole.Follower, n3.Role);
        Assert.Null(n3.LeaderId);
        cluster.Tick("n3", n3.LeaderLossStaggerStep);
        Assert.Equal(RaftRole.PreCandidate, n3.Role);

        // n2 has not seen the connection close and heard from n1 within the election timeout: its lease refuses the pre-vote.
        cluster.Stabilize();
        Assert.Equal(RaftRole.PreCandidate, n3.Role);
        Assert.Equal(oldTerm, n3.Term);
        Assert.Equal("n1", cluster["n2"].LeaderId);

        // Once n2 sees it too, it campaigns at once (first by rank), and n3, which no longer knows a leader, grants it.
        cluster["n2"].ReportPeerClosedConnection("n1");
        cluster.Stabilize();
        Assert.Equal("n2", cluster.Leader);
        Assert.Equal(oldTerm + 1, cluster["n2"].Term);
        Assert.Equal("n2", n3.LeaderId);
    }

    [Fact]
    public void LeaderConnectionClosed_SeenLateByTheFirstByRank_TheSecondYieldsToIt_InsteadOfSplittingTheVote()
    {
        var cluster = TestCluster.Of(3);
        var oldTerm = cluster.Elect("n1").Term;
        cluster.Crash("n1");

        // n3 hears first and, its stagger over, sends its pre-vote; it is on the wire when n2 hears and campaigns at once.
        var n3 = cluster["n3"];
        n3.ReportPeerClosedConnection("n1");
        cluster.Tick("n3", n3.LeaderLossStaggerStep);
        Assert.Equal(RaftRole.PreCandidate, n3.Role);
        cluster.HandleReady("n3");
        var n2 = cluster["n2"];
        n2.ReportPeerClosedConnection("n1");
        Assert.Equal(RaftRole.PreCandidate, n2.Role);
        cluster.HandleReady("n2");

        // n2 grants n3's pre-vote after sending its own request; n3 gets the request first (one link, in order) and yields.
        cluster.DeliverInFlight();
        Assert.Equal(RaftRole.Follower, n3.Role);
        cluster.Stabilize();

        Assert.Equal("n2", cluster.Leader);
        Assert.Equal(oldTerm + 1, n2.Term);
        Assert.Equal(oldTerm + 1, n3.Term);
        Assert.Equal("n2", n3.VotedFor);
        Assert.Equal("n2", n3.LeaderId);
    }

    [Fact]
    public void PreVote_FromABetterRankedPeer_WithoutALostLeader_DoesNotMakeAPreCandidateYield()
    {
        // The yield belongs to a leader loss only: an ordinary election timeout keeps the usual pre-vote rules.
        var cluster = TestCluster.Of(3);
        cluster.Crash("n1");
        var n3 = cluster["n3"];
        cluster.Tick("n3", n3.RandomizedElectionTimeout);
        Assert.Equal(RaftRole.PreCandidate, n3.Role);
        var term = n3.Term;

        n3.Step(new RequestVote("n2", "n3", term + 1, n3.LastLogIndex, n3.LastLogTerm, PreVote: true, LeadershipTransfer: false));

        Assert.Equal(RaftRole.PreCandidate, n3.Role);
        var granted = Assert.Single(n3.GetReady().Messages.OfType<RequestVoteResponse>(), r => r.To == "n2");
        Assert.True(granted.Granted);
    }

    [Fact]
    public void LeaderConnectionClosed_APreVoteTheLeaseRefused_IsAnsweredWhenTheConnectionCloses_SoTheFirstByRankWinsWithoutATick()
    {
        var cluster = TestCluster.Of(3);
        var oldTerm = cluster.Elect("n1").Term;
        cluster.Crash("n1");

        // n2 hears first and asks at once; n3 still heard from n1 lately, so its lease refuses (and keeps) the pre-vote.
        cluster["n2"].ReportPeerClosedConnection("n1");
        cluster.Stabilize();
        Assert.Null(cluster.Leader);
        Assert.Equal(RaftRole.PreCandidate, cluster["n2"].Role);

        // n3 hears too: it answers the kept pre-vote, and n2 wins, with no tick anywhere.
        cluster["n3"].ReportPeerClosedConnection("n1");
        cluster.Stabilize();
        Assert.Equal("n2", cluster.Leader);
        Assert.Equal(oldTerm + 1, cluster["n2"].Term);
        Assert.Equal("n2", cluster["n3"].LeaderId);
    }

    [Fact]
    public void APreVoteTheLeaseRefused_IsForgotten_OnceTheLeaderIsHeardFromAgain()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        var term = leader.Term;

        // A false alarm at n2: n3's lease refuses its pre-vote; then n1's heartbeat reaches n3 (and n2).
        cluster["n2"].ReportPeerClosedConnection("n1");
        cluster.Stabilize();
        cluster.Tick("n1", 1);
        cluster.Stabilize();
        Assert.Equal("n1", cluster["n2"].LeaderId);

        // A later close seen by n3 alone must not answer that old pre-vote: n3 is second by rank, it only waits its stagger.
        cluster.Crash("n1");
        cluster["n3"].ReportPeerClosedConnection("n1");
        Assert.False(cluster["n3"].GetReady().Messages.OfType<RequestVoteResponse>().Any());
        Assert.Equal(term, cluster["n2"].Term);
    }

    [Fact]
    public void PeerClosedConnection_WhileTheLeaderLives_DoesNotDeposeIt_AndTheNextHeartbeatBringsTheFollowerBack()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        var term = leader.Term;

        // A false alarm: the connection closed, but n1 is alive and n3 still hears from it.
        cluster["n2"].ReportPeerClosedConnection("n1");
        Assert.Equal(RaftRole.PreCandidate, cluster["n2"].Role);
        cluster.Stabilize();

        Assert.Equal(RaftRole.Leader, leader.Role);
        Assert.Equal(term, leader.Term);
        Assert.Equal(term, cluster["n2"].Term);
        Assert.Equal(term, cluster["n3"].Term);

        cluster.Tick("n1", 1);
        cluster.Stabilize();
        Assert.Equal(RaftRole.Follower, cluster["n2"].Role);
        Assert.Equal("n1", cluster["n2"].LeaderId);
        Assert.Equal(term, leader.Term);
        Assert.Equal("n1", cluster.Leader);
    }

    [Fact]
    public void PeerClosedConnection_OfAPeerThatDoesNotLead_ChangesNothing()
    {
        var cluster = TestCluster.Of(3);
        cluster.Elect("n1");
        var n2 = cluster["n2"];
        var timeout = n2.RandomizedElectionTimeout;

        n2.ReportPeerClosedConnection("n3");

        Assert.Equal(RaftRole.Follower, n2.Role);
        Assert.Equal("n1", n2.LeaderId);
        Assert.Equal(timeout, n2.RandomizedElectionTimeout);
        Assert.False(n2.HasReady);
    }

    [Fact]
    public void LeaderConnectionClosed_WhenTheFirstByRankMissedAnEntry_TheUpToDateFollowerWinsAfterItsStagger_AndKeepsTheEntry()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        var oldTerm = leader.Term;

        // n2 misses the last entry; n1 and n3 commit it.
        cluster.Drop = m => m is AppendEntries { To: "n2" };
        var proposed = leader.Propose(TestCluster.Command("kept"));
        cluster.Stabilize();
        Assert.Equal(proposed.Index, leader.CommitIndex);
        Assert.True(cluster["n2"].LastLogIndex < proposed.Index);
        cluster.Drop = null;
        cluster.Crash("n1");

        cluster["n2"].ReportPeerClosedConnection("n1");
        cluster["n3"].ReportPeerClosedConnection("n1");
        cluster.Stabilize();
        // n3 refuses n2's pre-vote (its log is ahead), so nobody leads yet.
        Assert.Null(cluster.Leader);

        cluster.TickAll(cluster["n3"].LeaderLossStaggerStep);

        Assert.Equal("n3", cluster.Leader);
        Assert.Equal(oldTerm + 1, cluster["n3"].Term);
        Assert.Equal("n3", cluster["n2"].LeaderId);
        Assert.True(cluster["n2"].CommitIndex >= proposed.Index);
        cluster.AssertAppliedLogsAgree();
    }

    [Fact]
    public void LeaderConnectionClosed_WithoutPreVote_ChangesNothing_SoAFalseAlarmCannotRaiseTheTerm()
    {
        var cluster = TestCluster.Of(3, id => new RaftOptions { Id = id, PreVote = false });
        cluster.Elect("n1");
        var n2 = cluster["n2"];

        n2.ReportPeerClosedConnection("n1");

        Assert.Equal(RaftRole.Follower, n2.Role);
        Assert.Equal("n1", n2.LeaderId);
        Assert.False(n2.HasReady);
    }

    [Fact]
    public void LeaderConnectionClosed_InFiveNodes_RanksStaggerTheSurvivors_TheFirstLeads()
    {
        var cluster = TestCluster.Of(5);
        var oldTerm = cluster.Elect("n3").Term;
        cluster.Crash("n3");

        foreach (var id in new[] { "n5", "n4", "n2", "n1" })
        {
            cluster[id].ReportPeerClosedConnection("n3");
        }
        var step = cluster["n1"].LeaderLossStaggerStep;
        Assert.Equal(RaftRole.PreCandidate, cluster["n1"].Role);
        Assert.All(new[] { "n2", "n4", "n5" }, id => Assert.Equal(RaftRole.Follower, cluster[id].Role));
        cluster.Stabilize();

        Assert.Equal("n1", cluster.Leader);
        Assert.Equal(oldTerm + 1, cluster["n1"].Term);
        cluster.TickAll(4 * step);
        Assert.Equal("n1", cluster.Leader);
        Assert.Equal(oldTerm + 1, cluster["n1"].Term);
    }
}
