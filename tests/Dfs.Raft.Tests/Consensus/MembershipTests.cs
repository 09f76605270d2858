using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Messages;

namespace Dfs.Raft.Tests.Consensus;

public sealed class MembershipTests
{
    private static readonly ClusterConfiguration Three = new(["n1", "n2", "n3"]);

    private static (TestCluster Cluster, RaftNode Leader) ClusterWithLeader()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        cluster.Stabilize();
        return (cluster, leader);
    }

    private static ConfigurationChange Add(string id) => new(ConfigurationChangeKind.AddLearner, id);

    [Fact]
    public void MembershipChange_OneAtATime()
    {
        var (cluster, leader) = ClusterWithLeader();
        cluster.AddNode("n4", Three);
        cluster.AddNode("n5", Three);

        var first = leader.ProposeConfigurationChange(Add("n4"));
        Assert.True(first.Accepted);
        var second = leader.ProposeConfigurationChange(Add("n5"));
        Assert.False(second.Accepted);
        Assert.Equal(ProposeRejection.ConfigurationChangePending, second.Rejection);

        cluster.Stabilize();
        Assert.True(leader.CommitIndex >= first.Index);
        Assert.True(leader.ProposeConfigurationChange(Add("n5")).Accepted);
        cluster.Stabilize();
        Assert.Equal(["n4", "n5"], leader.Configuration.Learners);
    }

    [Fact]
    public void MembershipChange_IsRefusedBeforeLeaderCommitsAnEntryOfItsTerm()
    {
        var cluster = TestCluster.Of(3);
        cluster.Drop = m => m is AppendEntries { Entries.Count: > 0 };
        var leader = cluster.Elect("n1");
        cluster.AddNode("n4", Three);

        var refused = leader.ProposeConfigurationChange(Add("n4"));
        Assert.Equal(ProposeRejection.ConfigurationChangePending, refused.Rejection);

        cluster.Drop = null;
        cluster.TickAll(2);
        Assert.True(leader.ProposeConfigurationChange(Add("n4")).Accepted);
    }

    [Fact]
    public void MembershipChange_WithInvalidChange_IsRefusedAndChangesNothing()
    {
        var (_, leader) = ClusterWithLeader();
        var before = leader.LastLogIndex;

        Assert.Equal(ProposeRejection.InvalidConfigurationChange, leader.ProposeConfigurationChange(Add("n2")).Rejection);
        Assert.Equal(ProposeRejection.InvalidConfigurationChange,
            leader.ProposeConfigurationChange(new ConfigurationChange(ConfigurationChangeKind.PromoteLearner, "n9")).Rejection);
        Assert.Equal(ProposeRejection.InvalidConfigurationChange,
            leader.ProposeConfigurationChange(new ConfigurationChange(ConfigurationChangeKind.Remove, "n9")).Rejection);
        Assert.Equal(before, leader.LastLogIndex);
        Assert.Equal(Three, leader.Configuration);
    }

    [Fact]
    public void ConfigurationEntry_TakesEffectWhenAppended_AndRevertsWhenTruncated()
    {
        var follower = new RaftNode(new RaftOptions { Id = "n2" },
            new RaftBootState(new HardState(1, null, 1), null, ElectionTests.LogOfTerms(1), Three), new Random(1));
        var withLearner = new ClusterConfiguration(["n1", "n2", "n3"], ["n4"]);

        follower.Step(new AppendEntries("n1", "n2", 1, 1, 1,
            [new LogEntry(1, 2, EntryKind.Configuration, withLearner.Encode())], 1, 0));
        Assert.Equal(withLearner, follower.Configuration);
        Assert.Equal(1, follower.CommitIndex);

        // A new leader never had that entry: it is replaced, and so is the configuration.
        follower.Step(new AppendEntries("n3", "n2", 2, 1, 1, [new LogEntry(2, 2, EntryKind.NoOp, ReadOnlyMemory<byte>.Empty)], 1, 0));
        Assert.Equal(Three, follower.Configuration);
    }

    /// <summary>
    /// A learner promoted while it was cut off still believes it is a learner. Once the leader is gone it must
    /// answer the votes of the next election (its leader lease having run out), or an election that needs its vote
    /// never completes.
    /// </summary>
    [Fact]
    public void Learner_NotHearingFromItsLeaderForAnElectionTimeout_GrantsAPreVoteOfAHigherTerm()
    {
        var withLearner = new ClusterConfiguration(["n1", "n2", "n3"], ["n4"]);
        var learner = new RaftNode(new RaftOptions { Id = "n4" },
            new RaftBootState(new HardState(1, null, 0), null, [], withLearner), new Random(1));
        learner.Step(new AppendEntries("n2", "n4", 1, 0, 0, [new LogEntry(1, 1, EntryKind.Configuration, withLearner.Encode())], 1, 0));
        Assert.Equal("n2", learner.LeaderId);

        for (var i = 0; i < 2 * new RaftOptions { Id = "n4" }.ElectionTicks; i++)
        {
            learner.Tick();
        }
        _ = learner.GetReady();
        learner.Step(new RequestVote("n1", "n4", 2, 1, 1, PreVote: true, LeadershipTransfer: false));

        var answer = Assert.Single(learner.GetReady().Messages.OfType<RequestVoteResponse>());
        Assert.True(answer.Granted);
        Assert.Equal(RaftRole.Follower, learner.Role);
    }

    [Fact]
    public void Learner_ReceivesTheLogButNeitherVotesNorCounts()
    {
        var (cluster, leader) = ClusterWithLeader();
        var learner = cluster.AddNode("n4", Three);
        Assert.True(leader.ProposeConfigurationChange(Add("n4")).Accepted);
        cluster.TickAll(3);
        Assert.Equal(leader.LastLogIndex, learner.LastLogIndex);
        Assert.Equal(leader.Configuration, learner.Configuration);

        // With both other voters gone, the learner's copy does not make a quorum.
        cluster.Crash("n2");
        cluster.Crash("n3");
        var proposed = leader.Propose(TestCluster.Command("x"));
        cluster.Stabilize();
        Assert.Equal(proposed.Index, learner.LastLogIndex);
        Assert.True(leader.CommitIndex < proposed.Index);

        // And it never campaigns.
        cluster.Crash("n1");
        cluster.TickAll(60);
        Assert.Equal(RaftRole.Follower, learner.Role);
    }

    [Fact]
    public void PromoteLearner_IsRefusedUntilCaughtUp()
    {
        var (cluster, leader) = ClusterWithLeader();
        cluster.AddNode("n4", Three);
        Assert.True(leader.ProposeConfigurationChange(Add("n4")).Accepted);
        cluster.Isolate("n4");
        for (var i = 0; i < 40; i++)
        {
            leader.Propose(TestCluster.Command($"c{i}"));
        }
        cluster.TickAll(2);

        var promote = new ConfigurationChange(ConfigurationChangeKind.PromoteLearner, "n4");
        Assert.Equal(ProposeRejection.LearnerNotCaughtUp, leader.ProposeConfigurationChange(promote).Rejection);

        cluster.Heal();
        cluster.TickAll(3);
        Assert.True(leader.ProposeConfigurationChange(promote).Accepted);
        cluster.TickAll(2);
        Assert.Equal(["n1", "n2", "n3", "n4"], cluster["n4"].Configuration.Voters);
        Assert.Equal(3, leader.Configuration.Quorum);
    }

    [Fact]
    public void Leader_RemovingItself_StepsDownOnceTheChangeCommits()
    {
        var (cluster, leader) = ClusterWithLeader();
        cluster.Drop = m => m is AppendEntries { Entries.Count: > 0 };

        var removal = leader.ProposeConfigurationChange(new ConfigurationChange(ConfigurationChangeKind.Remove, "n1"));
        Assert.True(removal.Accepted);
        cluster.Stabilize();
        // In force at once, but the leader keeps managing the group until the change commits.
        Assert.Equal(["n2", "n3"], leader.Configuration.Voters);
        Assert.Equal(RaftRole.Leader, leader.Role);

        cluster.Drop = null;
        cluster.TickAll(2);
        Assert.Equal(RaftRole.Follower, leader.Role);

        cluster.TickAll(60);
        Assert.True(cluster.Leader is "n2" or "n3", $"Expected n2 or n3 to lead, saw {cluster.Leader ?? "none"}.");
        Assert.Equal(RaftRole.Follower, cluster["n1"].Role);
        var proposed = cluster[cluster.Leader!].Propose(TestCluster.Command("after"));
        cluster.TickAll(2);
        Assert.True(cluster[cluster.Leader!].CommitIndex >= proposed.Index);
    }

    [Fact]
    public void RemovedFollower_IsNoLongerCountedOrReplicatedTo()
    {
        var (cluster, leader) = ClusterWithLeader();
        Assert.True(leader.ProposeConfigurationChange(new ConfigurationChange(ConfigurationChangeKind.Remove, "n3")).Accepted);
        cluster.TickAll(2);
        var before = cluster["n3"].LastLogIndex;

        cluster.Crash("n2");
        cluster.Crash("n3");
        cluster.Restart("n3");
        var proposed = leader.Propose(TestCluster.Command("x"));
        cluster.TickAll(3);

        Assert.Equal(before, cluster["n3"].LastLogIndex);
        Assert.True(leader.CommitIndex < proposed.Index, "A removed node's copy must not count (n2 is down).");
    }
}
