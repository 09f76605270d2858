using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Messages;
using static Dfs.Raft.Tests.Consensus.ElectionTests;

namespace Dfs.Raft.Tests.Consensus;

public sealed class ReplicationTests
{
    private static readonly ClusterConfiguration Three = new(["n1", "n2", "n3"]);

    private static RaftNode Follower(string id, long term, IReadOnlyList<LogEntry> log, long commit = 0) =>
        new(new RaftOptions { Id = id }, new RaftBootState(new HardState(term, null, commit), null, log, Three), new Random(1));

    private static LogEntry Entry(long term, long index) => new(term, index, EntryKind.Command, TestCluster.Command($"e{index}t{term}"));

    [Fact]
    public void Leader_DoesNotCommitPreviousTermEntryByCountingReplicas()
    {
        // Raft Figure 8: n1 led term 2 and got index 2 only to n2; n5 led term 3 with its own index 2.
        var ids = new[] { "n1", "n2", "n3", "n4", "n5" };
        var five = new ClusterConfiguration(ids);
        var logs = new Dictionary<string, long[]>
        {
            ["n1"] = [1, 2],
            ["n2"] = [1, 2],
            ["n3"] = [1],
            ["n4"] = [1],
            ["n5"] = [1, 3],
        };
        var cluster = new TestCluster(ids, boot: id => new RaftBootState(new HardState(3, null, 1), null, LogOfTerms(logs[id]), five));

        // n1 now leads term 4, and the term-2 entry reaches n3 (a majority holds it) while the no-op does not.
        cluster.Drop = m => m.From == "n1" && m.To is "n4" or "n5" && m is AppendEntries;
        cluster.Intercept = m => m switch
        {
            AppendEntries { Entries.Count: 0, PrevLogIndex: >= 3 } => null,
            AppendEntries append => append with { Entries = append.Entries.Where(e => e.Index <= 2).ToList() },
            _ => m,
        };
        var leader = cluster.Elect("n1");
        Assert.Equal(4, leader.Term);
        Assert.Equal(2, cluster.Members["n3"].Disk.Log.Count);
        Assert.Equal(2, cluster.Members["n3"].Disk.Log[1].Term);

        Assert.Equal(1, leader.CommitIndex);
        Assert.All(cluster.Members.Values, m => Assert.DoesNotContain(2L, m.AppliedEntries.Keys));

        // Once an entry of term 4 reaches a majority, both commit together.
        cluster.Drop = null;
        cluster.Intercept = null;
        cluster.TickAll(15);
        Assert.Equal(3, leader.CommitIndex);
        Assert.All(cluster.Members.Values, m => Assert.Equal([1L, 2L, 4L], m.Disk.Log.Select(e => e.Term)));
        cluster.AssertAppliedLogsAgree();
    }

    [Fact]
    public void Follower_WithStaleAppendEntries_DoesNotTruncateItsLog()
    {
        var follower = Follower("n2", 1, LogOfTerms(1, 1, 1, 1, 1));

        // A delayed duplicate of an earlier message: entries 2..3, all of which the follower holds.
        follower.Step(new AppendEntries("n1", "n2", 1, 1, 1, [Entry(1, 2), Entry(1, 3)], 0, 0));

        Assert.Equal(5, follower.LastLogIndex);
        var ready = follower.GetReady();
        Assert.Empty(ready.Entries);
        var response = Assert.Single(ready.MessagesAfterPersist.OfType<AppendEntriesResponse>());
        Assert.True(response.Success);
        Assert.Equal(3, response.MatchIndex);
        Assert.Empty(ready.Messages);
    }

    [Fact]
    public void Follower_WithConflictingEntry_TruncatesFromTheConflictOnly()
    {
        var follower = Follower("n2", 1, LogOfTerms(1, 1, 1, 1, 1));

        follower.Step(new AppendEntries("n1", "n2", 2, 2, 1, [Entry(1, 3), Entry(2, 4)], 0, 0));

        Assert.Equal(4, follower.LastLogIndex);
        Assert.Equal([1L, 1L, 1L, 2L], follower.EntriesFrom(1, 10).Select(e => e.Term));
        // The replacement reaches the host from the conflict index, below what it stored before.
        var ready = follower.GetReady();
        Assert.Equal([4L], ready.Entries.Select(e => e.Index));
        Assert.True(Assert.Single(ready.MessagesAfterPersist.OfType<AppendEntriesResponse>()).Success);
    }

    [Fact]
    public void Follower_ChecksConsistencyOnHeartbeats()
    {
        var follower = Follower("n2", 1, LogOfTerms(1, 1));

        // Heartbeat past the end of the log.
        follower.Step(new AppendEntries("n1", "n2", 2, 3, 1, [], 3, 0));
        // Heartbeat whose previous entry has another term.
        follower.Step(new AppendEntries("n1", "n2", 2, 2, 2, [], 3, 0));

        var responses = follower.GetReady().MessagesAfterPersist.OfType<AppendEntriesResponse>().ToList();
        Assert.Equal(2, responses.Count);
        Assert.All(responses, r => Assert.False(r.Success));
        Assert.Equal(2, responses[0].HintIndex);
        Assert.Equal(3, responses[0].RejectedIndex);
        Assert.Equal(2, responses[1].RejectedIndex);
        Assert.Equal(0, follower.CommitIndex);
        Assert.Equal(2, follower.LastLogIndex);
    }

    [Fact]
    public void Follower_WithMalformedAppendEntries_ChangesNothing()
    {
        var follower = Follower("n2", 1, LogOfTerms(1, 1));

        // Entries that do not follow the previous index, and a configuration entry that does not decode.
        follower.Step(new AppendEntries("n1", "n2", 1, 2, 1, [Entry(1, 4)], 2, 0));
        var garbage = new LogEntry(1, 3, EntryKind.Configuration, new byte[] { 1, 2 });
        Assert.Throws<InvalidDataException>(() => follower.Step(new AppendEntries("n1", "n2", 1, 2, 1, [garbage], 2, 0)));

        Assert.Equal(2, follower.LastLogIndex);
        Assert.Equal(new ClusterConfiguration(["n1", "n2", "n3"]), follower.Configuration);
        Assert.Empty(follower.GetReady().Entries);
    }

    [Fact]
    public void Follower_CommitIndex_IsBoundedByLastNewEntry()
    {
        // Entries 4 and 5 may be stale leftovers: the leader's commit of 5 does not vouch for them.
        var follower = Follower("n2", 1, LogOfTerms(1, 1, 1, 1, 1));

        follower.Step(new AppendEntries("n1", "n2", 2, 2, 1, [Entry(1, 3)], 5, 0));

        Assert.Equal(3, follower.CommitIndex);
        Assert.Equal(5, follower.LastLogIndex);
    }

    [Fact]
    public void Follower_AppendEntriesFromOlderTerm_IsRefusedWithCurrentTerm()
    {
        var follower = Follower("n2", 5, LogOfTerms(1, 1));

        follower.Step(new AppendEntries("n1", "n2", 4, 2, 1, [Entry(4, 3)], 3, 0));

        Assert.Equal(2, follower.LastLogIndex);
        Assert.Equal(0, follower.CommitIndex);
        var response = Assert.Single(follower.GetReady().MessagesAfterPersist.OfType<AppendEntriesResponse>());
        Assert.False(response.Success);
        Assert.Equal(5, response.Term);
    }

    [Fact]
    public void SingleNodeGroup_CommitsOnlyAfterPersist()
    {
        var node = new RaftNode(new RaftOptions { Id = "n1" },
            new RaftBootState(HardState.Empty, null, [], new ClusterConfiguration(["n1"])), new Random(3));
        for (var i = 0; i < 40 && node.Role != RaftRole.Leader; i++)
        {
            node.Tick();
        }
        Assert.Equal(RaftRole.Leader, node.Role);

        var first = node.GetReady();
        Assert.Single(first.Entries);
        Assert.Empty(first.CommittedEntries);
        Assert.Equal(0, node.CommitIndex);
        node.Advance(first);
        Assert.Equal(1, node.CommitIndex);

        var proposed = node.Propose(TestCluster.Command("a"));
        var second = node.GetReady();
        Assert.Equal([proposed.Index], second.Entries.Select(e => e.Index));
        // Only what was durable before this Ready is committed: the no-op, not the new command.
        Assert.Equal([1L], second.CommittedEntries.Select(e => e.Index));
        Assert.Equal(1, node.CommitIndex);
        node.Advance(second);

        Assert.Equal(proposed.Index, node.CommitIndex);
        Assert.Equal([proposed.Index], node.GetReady().CommittedEntries.Select(e => e.Index));
    }

    [Fact]
    public void Leader_CountsItsOwnEntriesOnlyAfterAdvance()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        cluster.Crash("n3");

        var proposed = leader.Propose(TestCluster.Command("x"));
        var ready = leader.GetReady();
        // Replication leaves before the leader's own write (thesis §10.2.1).
        Assert.Contains(ready.Messages.OfType<AppendEntries>(), a => a.To == "n2" && a.Entries.Any(e => e.Index == proposed.Index));
        cluster.Send(ready.Messages);
        cluster.DeliverInFlight();
        cluster.HandleReady("n2");
        cluster.DeliverInFlight();

        // n2 holds it durably, but the leader's copy is not yet: one of three is not a quorum.
        Assert.True(leader.CommitIndex < proposed.Index, $"Committed {leader.CommitIndex} before the leader persisted {proposed.Index}.");

        cluster.Members["n1"].Persist(ready);
        leader.Advance(ready);
        Assert.Equal(proposed.Index, leader.CommitIndex);
    }

    [Fact]
    public void Leader_CommitsWhenAQuorumOfFollowersHoldsTheEntry_EvenBeforeItsOwnPersist()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");

        var proposed = leader.Propose(TestCluster.Command("x"));
        var ready = leader.GetReady();
        cluster.Send(ready.Messages);
        cluster.DeliverInFlight();
        cluster.HandleReady("n2");
        cluster.HandleReady("n3");
        cluster.DeliverInFlight();

        Assert.Equal(proposed.Index, leader.CommitIndex);
    }

    [Fact]
    public void Leader_BatchesProposalsIntoOneMessage()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");

        var indexes = Enumerable.Range(0, 10).Select(i => leader.Propose(TestCluster.Command($"c{i}")).Index).ToList();
        var ready = leader.GetReady();

        Assert.Equal(indexes, ready.Entries.Select(e => e.Index));
        foreach (var peer in new[] { "n2", "n3" })
        {
            var append = Assert.Single(ready.Messages.OfType<AppendEntries>(), a => a.To == peer);
            Assert.Equal(indexes, append.Entries.Select(e => e.Index));
        }
    }

    [Fact]
    public void Leader_SplitsBatchesAtMaxBytesPerMessage()
    {
        var cluster = TestCluster.Of(3, id => new RaftOptions { Id = id, MaxBytesPerMessage = 200 });
        var leader = cluster.Elect("n1");

        for (var i = 0; i < 10; i++)
        {
            leader.Propose(new byte[76]); // 100 bytes each with overhead
        }
        var ready = leader.GetReady();
        var toN2 = ready.Messages.OfType<AppendEntries>().Where(a => a.To == "n2").ToList();
        Assert.Equal(5, toN2.Count);
        Assert.All(toN2, a => Assert.Equal(2, a.Entries.Count));
    }

    [Fact]
    public void Leader_PipelinesUpToInflightLimit()
    {
        var cluster = TestCluster.Of(3, id => new RaftOptions { Id = id, MaxInflightMessages = 4, MaxBytesPerMessage = 100 });
        var leader = cluster.Elect("n1");

        for (var i = 0; i < 10; i++)
        {
            leader.Propose(new byte[76]); // one entry per message
        }
        var ready = leader.GetReady();
        var toN2 = ready.Messages.OfType<AppendEntries>().Where(a => a.To == "n2").ToList();
        // Optimistic: four messages out before any answer, each starting where the previous ended.
        Assert.Equal(4, toN2.Count);
        Assert.Equal([2L, 3L, 4L, 5L], toN2.Select(a => a.Entries.Single().Index));
        cluster.Members["n1"].Persist(ready);
        leader.Advance(ready);

        // One acknowledgement frees one slot: exactly one more message.
        var n2 = cluster["n2"];
        n2.Step(toN2[0]);
        var ack = n2.GetReady().MessagesAfterPersist.OfType<AppendEntriesResponse>().Single();
        leader.Step(ack);
        var next = leader.GetReady().Messages.OfType<AppendEntries>().Where(a => a.To == "n2").ToList();
        Assert.Equal([6L], next.Select(a => a.Entries.Single().Index));
    }

    [Fact]
    public void Leader_AfterRejection_ProbesOneMessageAtATime()
    {
        var logs = new Dictionary<string, long[]> { ["n1"] = [1, 1, 1, 1], ["n2"] = [1], ["n3"] = [1, 1, 1, 1] };
        var cluster = new TestCluster(["n1", "n2", "n3"], boot: id => new RaftBootState(new HardState(1, null, 1), null, LogOfTerms(logs[id]), Three));
        // n2 rejects the new leader's first message, and that rejection is all it says for a while.
        cluster.Drop = m => m.From == "n2" && m is AppendEntriesResponse;
        var leader = cluster.Elect("n1");
        for (var i = 0; i < 5; i++)
        {
            leader.Propose(TestCluster.Command($"p{i}"));
            cluster.Stabilize();
        }
        // Until n2 answers the probe, the leader sends it nothing more however much is proposed.
        var sent = cluster.Delivered.OfType<AppendEntries>().Count(a => a.To == "n2" && a.Entries.Count > 0);
        Assert.Equal(1, sent);

        cluster.Drop = null;
        cluster.TickAll(3);
        Assert.Equal(leader.LastLogIndex, cluster["n2"].LastLogIndex);
    }

    [Fact]
    public void Leader_AfterUnreachableReport_ProbesOneMessageAtATime()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        leader.ReportUnreachable("n2");

        for (var i = 0; i < 3; i++)
        {
            leader.Propose(TestCluster.Command($"c{i}"));
            var ready = cluster.HandleReady("n1")!;
            Assert.Equal(i == 0 ? 1 : 0, ready.Messages.OfType<AppendEntries>().Count(a => a.To == "n2"));
            Assert.Single(ready.Messages.OfType<AppendEntries>(), a => a.To == "n3");
        }
        cluster.Stabilize();
        Assert.Equal(leader.LastLogIndex, cluster["n2"].LastLogIndex);
    }

    [Fact]
    public void Ready_HandsOutEachEntryOnceAndHardStateOnlyWhenChanged()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        var term = leader.Term;

        leader.Propose(TestCluster.Command("a"));
        var first = cluster.HandleReady("n1")!;
        Assert.Equal([leader.LastLogIndex], first.Entries.Select(e => e.Index));
        Assert.Null(first.HardState);

        cluster.DeliverInFlight();
        cluster.HandleReady("n2");
        cluster.HandleReady("n3");
        cluster.DeliverInFlight();
        var second = cluster.HandleReady("n1")!;
        Assert.Empty(second.Entries);
        Assert.Equal(new HardState(term, "n1", leader.LastLogIndex), second.HardState);
        Assert.Equal(["a"], second.CommittedEntries.Select(e => System.Text.Encoding.UTF8.GetString(e.Payload.Span)));
    }

    [Fact]
    public void Leader_BacksUpQuicklyOverConflictingFollowerLog()
    {
        var leaderLog = Enumerable.Repeat(1L, 10).Concat(Enumerable.Repeat(3L, 50)).ToArray();
        var staleLog = Enumerable.Repeat(1L, 10).Concat(Enumerable.Repeat(2L, 50)).ToArray();
        var cluster = new TestCluster(["n1", "n2", "n3"], boot: id => new RaftBootState(new HardState(3, null, 10), null,
            LogOfTerms(id == "n2" ? staleLog : leaderLog), Three));

        cluster.Elect("n1");
        cluster.Stabilize();

        var rejections = cluster.Delivered.OfType<AppendEntriesResponse>().Count(r => r.From == "n2" && !r.Success);
        Assert.InRange(rejections, 1, 2);
        Assert.Equal(cluster.Members["n1"].Disk.Log.Select(e => e.Term), cluster.Members["n2"].Disk.Log.Select(e => e.Term));
    }

    [Fact]
    public void Leader_BacksUpQuicklyOverShortFollowerLog()
    {
        var cluster = new TestCluster(["n1", "n2", "n3"], boot: id => new RaftBootState(new HardState(3, null, 2), null,
            LogOfTerms(id == "n2" ? [1, 1] : [.. Enumerable.Repeat(1L, 2), .. Enumerable.Repeat(3L, 60)]), Three));

        cluster.Elect("n1");
        cluster.Stabilize();

        Assert.Equal(1, cluster.Delivered.OfType<AppendEntriesResponse>().Count(r => r.From == "n2" && !r.Success));
        Assert.Equal(cluster["n1"].LastLogIndex, cluster["n2"].LastLogIndex);
    }

    [Fact]
    public void Leader_RefusesProposalsBeyondMaxUncommittedBytes()
    {
        var cluster = TestCluster.Of(3, id => new RaftOptions { Id = id, MaxUncommittedBytes = 250 });
        var leader = cluster.Elect("n1");
        cluster.Isolate("n1");

        Assert.True(leader.Propose(new byte[100]).Accepted);
        Assert.True(leader.Propose(new byte[100]).Accepted);
        var refused = leader.Propose(new byte[100]);
        Assert.False(refused.Accepted);
        Assert.Equal(ProposeRejection.TooManyUncommitted, refused.Rejection);

        cluster.Heal();
        cluster.TickAll(2);
        Assert.True(leader.Propose(new byte[100]).Accepted);
    }

    [Fact]
    public void Follower_RefusesProposals_NamingTheLeader()
    {
        var cluster = TestCluster.Of(3);
        cluster.Elect("n2");
        var result = cluster["n1"].Propose(TestCluster.Command("x"));
        Assert.False(result.Accepted);
        Assert.Equal(ProposeRejection.NotLeader, result.Rejection);
        Assert.Equal("n2", result.LeaderHint);
    }

    [Fact]
    public void CommittedEntries_AreAppliedOnEveryNodeInOrder()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        for (var i = 0; i < 20; i++)
        {
            Assert.True(leader.Propose(TestCluster.Command($"c{i}")).Accepted);
            if (i % 3 == 0)
            {
                cluster.Stabilize();
            }
        }
        cluster.TickAll(2);
        var expected = Enumerable.Range(0, 20).Select(i => $"c{i}").ToList();
        Assert.All(cluster.Members.Values, m => Assert.Equal(expected, m.AppliedCommands));
    }

    [Fact]
    public void Node_RestartedFromPersistedState_KeepsTermVoteAndLog()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        leader.Propose(TestCluster.Command("a"));
        cluster.TickAll(2);
        var (term, last) = (cluster["n2"].Term, cluster["n2"].LastLogIndex);

        cluster.Crash("n2");
        cluster.Restart("n2");

        var restarted = cluster["n2"];
        Assert.Equal(term, restarted.Term);
        Assert.Equal("n1", restarted.VotedFor);
        Assert.Equal(last, restarted.LastLogIndex);
        Assert.Equal(last, restarted.CommitIndex);
        // The committed log is applied again from the start (no snapshot).
        Assert.Equal(["a"], cluster.HandleReady("n2")!.CommittedEntries.Where(e => e.Kind == EntryKind.Command)
            .Select(e => System.Text.Encoding.UTF8.GetString(e.Payload.Span)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Cluster_UnderRandomLossPartitionsAndCrashes_KeepsAppliedLogsConsistent(bool reorderAndDuplicate)
    {
        for (var seed = 1; seed <= 6; seed++)
        {
            var random = new Random(seed);
            var cluster = TestCluster.Of(5, seed: seed);
            cluster.Drop = _ => random.NextDouble() < 0.1;
            cluster.Chaos = reorderAndDuplicate ? new Random(seed + 100) : null;
            var leaders = new Dictionary<long, string>();
            var proposed = 0;
            for (var round = 0; round < 250; round++)
            {
                if (round % 40 == 0)
                {
                    cluster.Heal();
                    foreach (var member in cluster.Members.Values.Where(m => m.Down))
                    {
                        cluster.Restart(member.Id);
                    }
                    var victim = $"n{random.Next(1, 6)}";
                    if (random.Next(2) == 0)
                    {
                        cluster.Isolate(victim);
                    }
                    else
                    {
                        cluster.Crash(victim);
                    }
                }
                if (round % 25 == 12)
                {
                    // Compaction and catch-up by snapshot under the same faults.
                    var member = cluster.Members.Values.ElementAt(random.Next(5));
                    if (!member.Down && member.Node.AppliedIndex > member.Node.FirstLogIndex)
                    {
                        cluster.TakeSnapshot(member.Id);
                    }
                }
                if (round % 50 == 30 && cluster.Leader is { } current)
                {
                    cluster[current].TransferLeadership($"n{random.Next(1, 6)}");
                }
                if (cluster.Leader is { } leader && random.Next(3) == 0)
                {
                    if (cluster[leader].Propose(TestCluster.Command($"s{seed}-{proposed}")).Accepted)
                    {
                        proposed++;
                    }
                }
                cluster.TickAll(1);
                foreach (var member in cluster.Members.Values.Where(m => !m.Down && m.Node.Role == RaftRole.Leader))
                {
                    if (leaders.TryGetValue(member.Node.Term, out var other) && other != member.Id)
                    {
                        Assert.Fail($"Seed {seed}: {other} and {member.Id} both led term {member.Node.Term}.");
                    }
                    leaders[member.Node.Term] = member.Id;
                }
                cluster.AssertAppliedLogsAgree();
            }

            cluster.Heal();
            cluster.Drop = null;
            cluster.Chaos = null;
            foreach (var member in cluster.Members.Values.Where(m => m.Down))
            {
                cluster.Restart(member.Id);
            }
            cluster.TickAll(60);
            var finalLeader = cluster.Leader;
            Assert.True(finalLeader is not null, $"Seed {seed}: no leader after healing.");
            var commit = cluster[finalLeader].CommitIndex;
            Assert.All(cluster.Members.Values, m => Assert.Equal(commit, m.Node.CommitIndex));
            cluster.AssertAppliedLogsAgree();
            Assert.True(proposed > 10, $"Seed {seed}: only {proposed} proposals were accepted.");
        }
    }

    [Fact]
    public void Leader_WhenAFollowerDeniesEntriesItAcknowledged_WaitsForHeartbeatsInsteadOfProbingInALoop()
    {
        // A follower whose host acknowledged before persisting crashes and comes back without entries it
        // acknowledged: every AppendEntries at its known match (heartbeats, probes) is rejected at or below it.
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        for (var i = 0; i < 5; i++)
        {
            Assert.True(leader.Propose(TestCluster.Command($"c{i}")).Accepted);
        }
        cluster.Stabilize();
        Assert.Equal(6, leader.CommitIndex);
        cluster.Crash("n2");
        var disk = cluster.Members["n2"].Disk;
        disk.TruncateFrom(3);
        disk.HardState = disk.HardState with { Commit = 2 };
        cluster.Restart("n2");
        cluster.Delivered.Clear();
        // New work for n2, and a send that failed while it was down: the leader probes it from its match.
        Assert.True(leader.Propose(TestCluster.Command("after")).Accepted);
        leader.ReportUnreachable("n2");

        const int ticks = 20;
        var rejectionsAtOrBelowMatch = 0;
        for (var tick = 0; tick < ticks; tick++)
        {
            foreach (var member in cluster.Members.Values)
            {
                member.Node.Tick();
            }
            // Deliver everything, repeatedly, far more often than a heartbeat comes: a probe chain would show here.
            for (var round = 0; round < 50; round++)
            {
                foreach (var id in cluster.Members.Keys)
                {
                    cluster.HandleReady(id);
                }
                rejectionsAtOrBelowMatch += cluster.InFlight.Count(m => m is AppendEntriesResponse { Success: false, RejectedIndex: <= 6, From: "n2" });
                cluster.DeliverInFlight();
            }
        }

        var appendsToN2 = cluster.Delivered.Count(m => m is AppendEntries { From: "n1", To: "n2" });
        Assert.True(rejectionsAtOrBelowMatch >= ticks / 2, $"expected n2 to keep rejecting at its lost match; it rejected {rejectionsAtOrBelowMatch} times");
        // One heartbeat per tick, plus the probe whose rejection is then left to the next heartbeat.
        Assert.True(appendsToN2 <= ticks + 2, $"expected at most {ticks + 2} AppendEntries to n2 in {ticks} ticks, saw {appendsToN2}");
        // The rest of the group is unaffected: n3 acknowledges the new entry and it commits.
        Assert.Equal(RaftRole.Leader, leader.Role);
        Assert.Equal(7, leader.CommitIndex);
    }
}
