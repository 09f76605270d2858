using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Messages;

namespace Dfs.Raft.Tests.Consensus;

public sealed class ElectionTests
{
    private static readonly ClusterConfiguration Three = new(["n1", "n2", "n3"]);

    internal static List<LogEntry> LogOfTerms(params long[] terms) =>
        terms.Select((term, i) => new LogEntry(term, i + 1, EntryKind.Command, TestCluster.Command($"c{i + 1}"))).ToList();

    private static RaftNode Node(string id, HardState? hardState = null, IReadOnlyList<LogEntry>? log = null,
        ClusterConfiguration? configuration = null, int seed = 1, bool preVote = true) =>
        new(new RaftOptions { Id = id, PreVote = preVote },
            new RaftBootState(hardState ?? HardState.Empty, null, log ?? [], configuration ?? Three), new Random(seed));

    private static void TickUntilRoleChanges(RaftNode node)
    {
        var start = node.Role;
        for (var i = 0; i < 100 && node.Role == start; i++)
        {
            node.Tick();
        }
        Assert.True(node.Role != start, $"{node.Id} stayed {start} for 100 ticks.");
    }

    [Fact]
    public void ElectionTimeouts_AreRandomizedWithinRange()
    {
        var seen = new HashSet<int>();
        for (var seed = 0; seed < 40; seed++)
        {
            var node = Node("n1", seed: seed);
            var timeout = node.RandomizedElectionTimeout;
            Assert.InRange(timeout, 10, 19);
            seen.Add(timeout);

            // The node campaigns exactly when its drawn timeout elapses, not before.
            for (var i = 0; i < timeout - 1; i++)
            {
                node.Tick();
            }
            Assert.Equal(RaftRole.Follower, node.Role);
            node.Tick();
            Assert.Equal(RaftRole.PreCandidate, node.Role);
        }
        Assert.True(seen.Count >= 5, $"Expected varied timeouts over 40 seeds, saw only [{string.Join(",", seen)}].");
    }

    [Fact]
    public void PreCandidate_DoesNotChangeItsTermOrVote()
    {
        var node = Node("n1", new HardState(5, null, 0));
        TickUntilRoleChanges(node);

        Assert.Equal(RaftRole.PreCandidate, node.Role);
        Assert.Equal(5, node.Term);
        Assert.Null(node.VotedFor);
        var ready = node.GetReady();
        Assert.Null(ready.HardState);
        var requests = ready.Messages.OfType<RequestVote>().ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.True(r.PreVote && r.Term == 6));
    }

    [Fact]
    public void Candidate_DoesNotSendVoteResponseBeforePersist()
    {
        // A candidate's vote requests count on its own vote for itself, which must be durable first.
        var candidate = Node("n1", preVote: false);
        TickUntilRoleChanges(candidate);
        Assert.Equal(RaftRole.Candidate, candidate.Role);
        var ready = candidate.GetReady();
        Assert.Empty(ready.Messages.OfType<RequestVote>());
        Assert.Equal(2, ready.MessagesAfterPersist.OfType<RequestVote>().Count());
        Assert.Equal(new HardState(1, "n1", 0), ready.HardState);

        // A voter's grant leaves only after the vote it records is persisted.
        var voter = Node("n2");
        voter.Step(new RequestVote("n1", "n2", 1, 0, 0, PreVote: false, LeadershipTransfer: false));
        var voterReady = voter.GetReady();
        Assert.Empty(voterReady.Messages.OfType<RequestVoteResponse>());
        var response = Assert.Single(voterReady.MessagesAfterPersist.OfType<RequestVoteResponse>());
        Assert.True(response.Granted);
        Assert.Equal(new HardState(1, "n1", 0), voterReady.HardState);
    }

    [Fact]
    public void Voter_GrantsOneVotePerTerm()
    {
        var voter = Node("n3");
        voter.Step(new RequestVote("n1", "n3", 1, 0, 0, PreVote: false, LeadershipTransfer: false));
        voter.Step(new RequestVote("n2", "n3", 1, 0, 0, PreVote: false, LeadershipTransfer: false));
        voter.Step(new RequestVote("n1", "n3", 1, 0, 0, PreVote: false, LeadershipTransfer: false));
        var responses = voter.GetReady().MessagesAfterPersist.OfType<RequestVoteResponse>().ToList();
        Assert.Equal([true, false, true], responses.Select(r => r.Granted));
        Assert.Equal("n1", voter.VotedFor);
    }

    [Fact]
    public void Voter_ComparesLastTermBeforeLogLength()
    {
        var voter = Node("n3", new HardState(2, null, 0), LogOfTerms(1, 1, 2));

        // Longer log, older last term: refused.
        voter.Step(new RequestVote("n1", "n3", 3, 4, 1, PreVote: false, LeadershipTransfer: false));
        // Same last term, shorter: refused.
        voter.Step(new RequestVote("n1", "n3", 4, 2, 2, PreVote: false, LeadershipTransfer: false));
        // Shorter log, newer last term: granted.
        voter.Step(new RequestVote("n2", "n3", 5, 1, 3, PreVote: false, LeadershipTransfer: false));

        var responses = voter.GetReady().MessagesAfterPersist.OfType<RequestVoteResponse>().ToList();
        Assert.Equal([false, false, true], responses.Select(r => r.Granted));
        Assert.Equal("n2", voter.VotedFor);
    }

    [Fact]
    public void Node_WithHigherTermMessage_StepsDownAndAdoptsTerm()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        var term = leader.Term;

        leader.Step(new AppendEntriesResponse("n2", "n1", term + 3, false, 0, 0, 0, 0, 0));

        Assert.Equal(RaftRole.Follower, leader.Role);
        Assert.Equal(term + 3, leader.Term);
        Assert.Null(leader.LeaderId);
        Assert.Null(leader.VotedFor);
    }

    [Fact]
    public void Node_RejectsReplyFromOlderTerm()
    {
        var cluster = new TestCluster(["n1", "n2", "n3"], boot: _ => new RaftBootState(new HardState(5, null, 0), null, [], Three));

        // A candidate does not count grants from an older term.
        var node = new RaftNode(new RaftOptions { Id = "n1", PreVote = false },
            new RaftBootState(new HardState(5, null, 0), null, [], Three), new Random(1));
        TickUntilRoleChanges(node);
        Assert.Equal(6, node.Term);
        node.Step(new RequestVoteResponse("n2", "n1", 5, PreVote: false, Granted: true));
        node.Step(new RequestVoteResponse("n3", "n1", 5, PreVote: false, Granted: true));
        Assert.Equal(RaftRole.Candidate, node.Role);

        // A leader does not count an acknowledgement from an older term.
        var leader = cluster.Elect("n3");
        var proposed = leader.Propose(TestCluster.Command("x"));
        cluster.HandleReady("n3");
        leader.Step(new AppendEntriesResponse("n1", "n3", leader.Term - 1, true, proposed.Index, 0, 0, 0, 0));
        leader.Step(new AppendEntriesResponse("n2", "n3", leader.Term - 1, true, proposed.Index, 0, 0, 0, 0));
        Assert.True(leader.CommitIndex < proposed.Index,
            $"Commit index {leader.CommitIndex} moved on replies from term {leader.Term - 1}.");
        Assert.Equal(RaftRole.Leader, leader.Role);

        cluster.Stabilize();
        Assert.Equal(proposed.Index, leader.CommitIndex);
    }

    [Fact]
    public void NewLeader_AppendsNoOp()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n2");

        var last = leader.EntriesFrom(leader.LastLogIndex, 1).Single();
        Assert.Equal(EntryKind.NoOp, last.Kind);
        Assert.Equal(leader.Term, last.Term);
        Assert.Equal(last.Index, leader.CommitIndex);
        Assert.All(cluster.Members.Values, m => Assert.Equal(EntryKind.NoOp, m.Disk.Log.Single().Kind));
    }

    [Fact]
    public void PartitionedNode_Rejoining_DoesNotDisruptLeader()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        var term = leader.Term;

        cluster.Isolate("n3");
        cluster.TickAll(100);
        Assert.Equal(term, cluster["n3"].Term);
        Assert.Equal(RaftRole.PreCandidate, cluster["n3"].Role);

        cluster.Heal();
        // Its pre-votes reach followers that hear from the leader: they are ignored.
        cluster["n3"].Tick();
        cluster.TickAll(30);

        Assert.Equal(RaftRole.Leader, leader.Role);
        Assert.Equal(term, leader.Term);
        Assert.Equal(term, cluster["n3"].Term);
        Assert.Equal("n1", cluster["n3"].LeaderId);
    }

    [Fact]
    public void Follower_HearingFromLeader_IgnoresVoteRequests()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        var follower = cluster["n2"];
        var term = follower.Term;

        follower.Step(new RequestVote("n3", "n2", term + 1, 100, term, PreVote: false, LeadershipTransfer: false));

        Assert.Equal(term, follower.Term);
        Assert.Equal("n1", follower.LeaderId);
        Assert.False(follower.HasReady, "A vote request within the leader lease must get no answer.");
        Assert.Equal(RaftRole.Leader, leader.Role);
    }

    [Fact]
    public void Follower_ElectionTimer_IsNotResetByAVoteItRefuses()
    {
        var follower = Node("n1", new HardState(1, null, 0), LogOfTerms(1, 1));
        var timeout = follower.RandomizedElectionTimeout;
        for (var i = 0; i < timeout - 1; i++)
        {
            follower.Tick();
        }
        // A stale candidate at a higher term: the term is adopted, the vote refused, the timer kept.
        follower.Step(new RequestVote("n2", "n1", 3, 1, 1, PreVote: false, LeadershipTransfer: false));
        Assert.Equal(3, follower.Term);
        Assert.Equal(RaftRole.Follower, follower.Role);
        var draws = follower.RandomizedElectionTimeout;
        for (var i = 0; i < draws && follower.Role == RaftRole.Follower; i++)
        {
            follower.Tick();
        }
        Assert.Equal(RaftRole.PreCandidate, follower.Role);
        Assert.Null(follower.VotedFor);
    }

    [Fact]
    public void Follower_ElectionTimer_IsNotResetByAStaleLeader()
    {
        var follower = Node("n1", new HardState(4, null, 0), LogOfTerms(1, 1));
        var timeout = follower.RandomizedElectionTimeout;
        for (var i = 0; i < timeout - 1; i++)
        {
            follower.Tick();
        }
        follower.Step(new AppendEntries("n2", "n1", 3, 2, 1, [], 2, 0));
        follower.Tick();
        Assert.Equal(RaftRole.PreCandidate, follower.Role);
        Assert.Null(follower.LeaderId);
    }

    [Fact]
    public void Follower_ElectionTimer_IsResetByGrantingAVote()
    {
        var follower = Node("n1");
        var timeout = follower.RandomizedElectionTimeout;
        for (var i = 0; i < timeout - 1; i++)
        {
            follower.Tick();
        }
        follower.Step(new RequestVote("n2", "n1", 1, 0, 0, PreVote: false, LeadershipTransfer: false));
        Assert.Equal("n2", follower.VotedFor);
        for (var i = 0; i < 9; i++)
        {
            follower.Tick();
        }
        Assert.Equal(RaftRole.Follower, follower.Role);
    }

    [Fact]
    public void Leader_WithoutQuorumContact_StepsDown()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        var term = leader.Term;

        cluster.Isolate("n1");
        for (var i = 0; i < 2 * 10 && leader.Role == RaftRole.Leader; i++)
        {
            leader.Tick();
            cluster.Stabilize();
        }

        Assert.Equal(RaftRole.Follower, leader.Role);
        Assert.Equal(term, leader.Term);
        Assert.Null(leader.LeaderId);
        Assert.Equal(ProposeRejection.NotLeader, leader.Propose(TestCluster.Command("x")).Rejection);
    }

    [Fact]
    public void Leader_WithQuorumContact_StaysLeader()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        cluster.Isolate("n3");
        cluster.TickAll(60);
        Assert.Equal(RaftRole.Leader, leader.Role);
    }

    [Fact]
    public void Cluster_ElectsNewLeaderAfterLeaderCrash()
    {
        var cluster = TestCluster.Of(3);
        var old = cluster.Elect("n1");
        var oldTerm = old.Term;
        cluster.Crash("n1");
        cluster.TickAll(60);

        var leader = cluster.Leader;
        Assert.NotNull(leader);
        Assert.NotEqual("n1", leader);
        Assert.True(cluster[leader].Term > oldTerm);

        // The old leader comes back as a follower of the new one.
        cluster.Restart("n1");
        cluster.TickAll(10);
        Assert.Equal(leader, cluster.Leader);
        Assert.Equal(leader, cluster["n1"].LeaderId);
    }

    [Fact]
    public void Node_WithNonContiguousBootLog_RefusesToStart()
    {
        var log = new[] { new LogEntry(1, 1, EntryKind.NoOp, ReadOnlyMemory<byte>.Empty), new LogEntry(1, 3, EntryKind.NoOp, ReadOnlyMemory<byte>.Empty) };
        var error = Assert.Throws<InvalidDataException>(() => Node("n1", new HardState(1, null, 0), log));
        Assert.Contains("entry 3 follows 1", error.Message);
    }
}
