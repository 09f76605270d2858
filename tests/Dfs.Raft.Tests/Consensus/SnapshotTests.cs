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
        // The host may reset its log for the snapshot: the kept entries come again after it.
        Assert.Equal([4L, 5L], ready.Entries.Select(e => e.Index));
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
