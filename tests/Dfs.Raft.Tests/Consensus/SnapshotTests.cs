using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Messages;

namespace Dfs.Raft.Tests.Consensus;

public sealed class SnapshotTests
{
    [Fact]
    public void ReportSnapshot_DropsCoveredEntriesFromMemory()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        for (var i = 0; i < 10; i++)
        {
            leader.Propose(TestCluster.Command($"c{i}"));
        }
        cluster.TickAll(2);

        var metadata = cluster.TakeSnapshot("n1");

        Assert.Equal(metadata.Index + 1, leader.FirstLogIndex);
        Assert.Equal(metadata, leader.Snapshot);
        Assert.Throws<ArgumentOutOfRangeException>(() => leader.EntriesFrom(metadata.Index, 1));
        Assert.True(leader.Propose(TestCluster.Command("after")).Accepted);
        cluster.TickAll(2);
        Assert.Equal(leader.CommitIndex, cluster["n2"].CommitIndex);
    }

    [Fact]
    public void LaggingFollower_GetsInstallSnapshot()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        cluster.Isolate("n3");
        for (var i = 0; i < 20; i++)
        {
            leader.Propose(TestCluster.Command($"c{i}"));
        }
        cluster.TickAll(2);
        var metadata = cluster.TakeSnapshot("n1");
        leader.Propose(TestCluster.Command("tail"));
        cluster.TickAll(1);

        cluster.Heal();
        cluster.TickAll(3);

        var install = Assert.Single(cluster.Delivered.OfType<InstallSnapshot>());
        Assert.Equal("n3", install.To);
        Assert.Equal(metadata, install.Metadata);
        var n3 = cluster.Members["n3"];
        Assert.Contains(n3.Readies, r => r.Snapshot?.Metadata == metadata);
        Assert.Equal(metadata.Index + 1, cluster["n3"].FirstLogIndex);
        Assert.Equal(leader.LastLogIndex, cluster["n3"].LastLogIndex);
        Assert.Equal(leader.CommitIndex, cluster["n3"].CommitIndex);
        Assert.Equal(cluster.Members["n1"].AppliedCommands, n3.AppliedCommands);
    }

    [Fact]
    public void Follower_ReceivingSnapshot_RespondsOnlyAfterPersist()
    {
        var configuration = new ClusterConfiguration(["n1", "n2", "n3"]);
        var follower = new RaftNode(new RaftOptions { Id = "n2" },
            new RaftBootState(new HardState(1, null, 0), null, [], configuration), new Random(1));
        var metadata = new SnapshotMetadata(50, 1, configuration);

        follower.Step(new InstallSnapshot("n1", "n2", 1, metadata, new MemorySnapshotPayload(new byte[] { 1 })));

        var ready = follower.GetReady();
        Assert.Equal(metadata, ready.Snapshot?.Metadata);
        Assert.Empty(ready.Messages);
        var response = Assert.Single(ready.MessagesAfterPersist.OfType<InstallSnapshotResponse>());
        Assert.Equal(50, response.LastIndex);
        Assert.Equal(50, follower.CommitIndex);
        Assert.Equal(50, follower.AppliedIndex);
        Assert.Equal(51, follower.FirstLogIndex);
        Assert.Empty(ready.CommittedEntries);
    }

    [Fact]
    public void Follower_ReceivingSnapshotItsLogMatches_KeepsTheFollowingEntries()
    {
        var configuration = new ClusterConfiguration(["n1", "n2", "n3"]);
        var follower = new RaftNode(new RaftOptions { Id = "n2" },
            new RaftBootState(new HardState(1, null, 0), null, ElectionTests.LogOfTerms(1, 1, 1, 1, 1), configuration), new Random(1));

        follower.Step(new InstallSnapshot("n1", "n2", 1, new SnapshotMetadata(3, 1, configuration), new MemorySnapshotPayload(new byte[] { 1 })));

        Assert.Equal(4, follower.FirstLogIndex);
        Assert.Equal(5, follower.LastLogIndex);
        var ready = follower.GetReady();
        // The stored log continues the snapshot: the host compacts it and keeps 4 and 5 where they are.
        Assert.True(ready.Snapshot?.KeepsLog);
        Assert.Empty(ready.Entries);
    }

    [Fact]
    public void Follower_ReceivingSnapshotBeyondWhatItHandedOut_HasTheHostResetTheLogAndHandsTheSuffixOutAgain()
    {
        var configuration = new ClusterConfiguration(["n1", "n2", "n3"]);
        var follower = new RaftNode(new RaftOptions { Id = "n2" },
            new RaftBootState(new HardState(1, null, 0), null, ElectionTests.LogOfTerms(1, 1), configuration), new Random(1));
        // Entries 3..5 arrive but are not yet handed to the host when the snapshot at 4 comes.
        follower.Step(new AppendEntries("n1", "n2", 1, 2, 1, ElectionTests.LogOfTerms(1, 1, 1, 1, 1).Skip(2).ToList(), 0, 0));

        follower.Step(new InstallSnapshot("n1", "n2", 1, new SnapshotMetadata(4, 1, configuration), new MemorySnapshotPayload(new byte[] { 1 })));

        var ready = follower.GetReady();
        Assert.False(ready.Snapshot?.KeepsLog);
        Assert.Equal([5L], ready.Entries.Select(e => e.Index));
    }

    /// <summary>
    /// A follower acknowledges entries past the index of a snapshot the leader sends it next (the leader
    /// compacted while the acknowledgement was on its way), and loses power right after installing the
    /// snapshot. The acknowledged entries must survive: the leader counts them as matched, so its heartbeats
    /// ask for them, and a follower without them would reject every heartbeat and never catch up.
    /// </summary>
    [Fact]
    public void Follower_CrashingRightAfterASnapshotItsLogContinues_KeepsWhatItAcknowledged()
    {
        var cluster = TestCluster.Of(3);
        var configuration = new ClusterConfiguration(["n1", "n2", "n3"]);
        var log = ElectionTests.LogOfTerms(1, 1, 1, 1, 1);
        cluster["n2"].Step(new AppendEntries("n1", "n2", 1, 0, 0, log, 2, 0));
        var ack = Assert.Single(cluster.HandleReady("n2")!.MessagesAfterPersist.OfType<AppendEntriesResponse>());
        Assert.True(ack.Success);
        Assert.Equal(5, ack.MatchIndex);

        var snapshot = new MemorySnapshotPayload(TestCluster.Command("c1\nc2\nc3"));
        cluster["n2"].Step(new InstallSnapshot("n1", "n2", 1, new SnapshotMetadata(3, 1, configuration), snapshot));
        // Power is lost after the host stored the snapshot and before the rest of that Ready: the order the
        // Ready contract gives (snapshot, entries, hard state, one fsync) allows losing everything after it.
        var install = cluster["n2"].GetReady();
        Assert.NotNull(install.Snapshot);
        cluster.Members["n2"].Persist(new Ready { Snapshot = install.Snapshot });
        cluster.Crash("n2");
        cluster.Restart("n2");

        Assert.Equal(4, cluster["n2"].FirstLogIndex);
        Assert.Equal(5, cluster["n2"].LastLogIndex);
        // The leader's heartbeat at the match it was told: accepted, and it brings the commit index along.
        cluster["n2"].Step(new AppendEntries("n1", "n2", 1, 5, 1, [], 5, 0));
        var answer = Assert.Single(cluster.HandleReady("n2")!.MessagesAfterPersist.OfType<AppendEntriesResponse>());
        Assert.True(answer.Success, $"heartbeat at the acknowledged index 5 rejected (hint {answer.HintIndex})");
        Assert.Equal(5, cluster["n2"].CommitIndex);
        Assert.Equal(["c1", "c2", "c3", "c4", "c5"], cluster.Members["n2"].AppliedCommands);
    }

    [Fact]
    public void Follower_ReceivingConflictingSnapshot_DiscardsItsLog()
    {
        var configuration = new ClusterConfiguration(["n1", "n2", "n3"]);
        var follower = new RaftNode(new RaftOptions { Id = "n2" },
            new RaftBootState(new HardState(2, null, 0), null, ElectionTests.LogOfTerms(1, 1, 2, 2, 2), configuration), new Random(1));

        follower.Step(new InstallSnapshot("n1", "n2", 3, new SnapshotMetadata(4, 3, configuration), new MemorySnapshotPayload(new byte[] { 1 })));

        Assert.Equal(5, follower.FirstLogIndex);
        Assert.Equal(4, follower.LastLogIndex);
        Assert.Empty(follower.GetReady().Entries);
    }

    [Fact]
    public void Follower_ReceivingOlderSnapshot_KeepsItsState()
    {
        var configuration = new ClusterConfiguration(["n1", "n2", "n3"]);
        var follower = new RaftNode(new RaftOptions { Id = "n2" },
            new RaftBootState(new HardState(1, null, 4), null, ElectionTests.LogOfTerms(1, 1, 1, 1, 1), configuration), new Random(1));

        follower.Step(new InstallSnapshot("n1", "n2", 1, new SnapshotMetadata(3, 1, configuration), new MemorySnapshotPayload(new byte[] { 1 })));

        Assert.Equal(1, follower.FirstLogIndex);
        Assert.Equal(5, follower.LastLogIndex);
        var ready = follower.GetReady();
        Assert.Null(ready.Snapshot);
        Assert.Equal(4, Assert.Single(ready.MessagesAfterPersist.OfType<InstallSnapshotResponse>()).LastIndex);
    }

    [Fact]
    public void Node_BootingFromSnapshot_StartsAfterIt()
    {
        var configuration = new ClusterConfiguration(["n1", "n2", "n3"]);
        var snapshot = new SnapshotMetadata(10, 2, configuration);
        var entries = new[] { new LogEntry(2, 11, EntryKind.Command, TestCluster.Command("a")), new LogEntry(3, 12, EntryKind.NoOp, ReadOnlyMemory<byte>.Empty) };
        var node = new RaftNode(new RaftOptions { Id = "n1" }, new RaftBootState(new HardState(3, "n1", 12), snapshot, entries, configuration), new Random(1));

        Assert.Equal(11, node.FirstLogIndex);
        Assert.Equal(12, node.LastLogIndex);
        Assert.Equal(12, node.CommitIndex);
        Assert.Equal(10, node.AppliedIndex);
        Assert.Equal([11L, 12L], node.GetReady().CommittedEntries.Select(e => e.Index));
    }

    [Fact]
    public void Node_RestartedAfterSnapshot_CatchesUp()
    {
        var cluster = TestCluster.Of(3);
        var leader = cluster.Elect("n1");
        for (var i = 0; i < 10; i++)
        {
            leader.Propose(TestCluster.Command($"c{i}"));
        }
        cluster.TickAll(2);
        cluster.TakeSnapshot("n2");
        cluster.Crash("n2");
        leader.Propose(TestCluster.Command("while-down"));
        cluster.TickAll(2);

        cluster.Restart("n2");
        cluster.TickAll(3);

        Assert.Equal(cluster.Members["n1"].AppliedCommands, cluster.Members["n2"].AppliedCommands);
    }
}
