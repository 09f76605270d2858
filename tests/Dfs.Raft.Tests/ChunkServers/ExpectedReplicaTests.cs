using Dfs.Client.ChunkServers;
using static Dfs.Raft.Tests.ChunkServers.DirectoryFixture;

namespace Dfs.Raft.Tests.ChunkServers;

/// <summary>The writers of a chunk are where a read right after the write finds it, before their heartbeats report it.</summary>
public sealed class ExpectedReplicaTests
{
    [Fact]
    public void Replicas_RightAfterAWrite_NameItsLiveWritersAtThatVersion_BeforeAnyReport()
    {
        using var f = new DirectoryFixture();
        foreach (var id in new[] { "c1", "c2", "c3", "c4" })
        {
            f.Full(id);
        }

        f.Directory.ExpectReplicas(7, 1, [Address("c1"), Address("c2"), Address("c3")]);

        Assert.Equal(["c1", "c2", "c3"], f.Directory.Replicas(7, 1).Select(r => r.Id).Order());
        // A pipeline rebuilt at version 2 without c3: c3's version-1 copy is not what a reader of version 2 may use.
        f.Directory.ExpectReplicas(7, 2, [Address("c1"), Address("c2")]);
        Assert.Equal(["c1", "c2"], f.Directory.Replicas(7, 2).Select(r => r.Id).Order());
    }

    [Fact]
    public void Replicas_OfExpectedWriters_DropDeadServers_AndExpireWithoutAReport()
    {
        using var f = new DirectoryFixture();
        foreach (var id in new[] { "c1", "c2", "c3" })
        {
            f.Full(id);
        }
        f.Directory.ExpectReplicas(7, 1, [Address("c1"), Address("c2"), Address("c3")]);

        // c1 reports the chunk; c2 stays silent past the dead timeout; c3 keeps beating but never reports the chunk, for
        // longer than the dead timeout after c1's report.
        f.Time.Advance(TimeSpan.FromSeconds(3));
        f.Beat("c1", added: [Chunk(7)]);
        f.Beat("c3");
        for (var i = 0; i < 3; i++)
        {
            f.Time.Advance(TimeSpan.FromSeconds(2));
            f.Beat("c1");
            f.Beat("c3");
        }

        Assert.Equal(["c1"], f.Directory.Replicas(7, 1).Select(r => r.Id));
    }

    [Fact]
    public void ChunkJustWritten_WhoseWritersHaveNotAllReported_IsNotCopied()
    {
        using var f = PipelineOfThreeAmongFour();

        // Only c1's report has arrived: the other two writers hold the chunk all the same.
        f.Beat("c1", added: [Chunk(7)]);
        f.Directory.RunDuties();
        var orders = f.BeatAll(FourServers).SelectMany(r => r.Value.Replicate).ToList();

        Assert.Empty(orders);
        Assert.Equal(0, f.Directory.View().UnderReplicatedChunks);
    }

    [Fact]
    public void ChunkWrittenSlowerThanTheDeadTimeout_IsNotCopied_WhenItsWritersReportOneAfterAnother()
    {
        using var f = PipelineOfThreeAmongFour();

        // A slow client: the chunk's last byte arrives 12 s after its allocation, every server beating meanwhile.
        for (var i = 0; i < 6; i++)
        {
            f.Time.Advance(TimeSpan.FromSeconds(2));
            f.BeatAll(FourServers);
        }
        // The writers finish together; c1's report arrives first and a duty pass runs before the others' reports.
        f.Beat("c1", added: [Chunk(7)]);
        f.Directory.RunDuties();
        var beforeTheirReports = f.BeatAll(FourServers).SelectMany(r => r.Value.Replicate).ToList();
        Assert.Equal(0, f.Directory.View().UnderReplicatedChunks);
        f.Time.Advance(TimeSpan.FromSeconds(1));
        f.Beat("c2", added: [Chunk(7)]);
        f.Beat("c3", added: [Chunk(7)]);
        f.Directory.RunDuties();
        var afterTheirReports = f.BeatAll(FourServers).SelectMany(r => r.Value.Replicate).ToList();

        Assert.Empty(beforeTheirReports);
        Assert.Empty(afterTheirReports);
        Assert.Equal(["c1", "c2", "c3"], f.Directory.Replicas(7, 1).Select(r => r.Id).Order());
    }

    [Fact]
    public void ChunkWhoseOtherWritersNeverReport_IsCopied_ADeadTimeoutAfterTheFirstReport()
    {
        using var f = PipelineOfThreeAmongFour();
        f.Beat("c1", added: [Chunk(7)]);

        // c2 and c3 stay alive but never report the chunk (their writes failed): waiting for them ends with the window.
        var orders = new List<ReplicateCommand>();
        for (var i = 0; i < 3; i++)
        {
            f.Time.Advance(TimeSpan.FromSeconds(2));
            f.Directory.RunDuties();
            orders.AddRange(f.BeatAll(FourServers).SelectMany(r => r.Value.Replicate));
        }

        Assert.Equal(2, orders.Count);
    }

    private static readonly string[] FourServers = ["c1", "c2", "c3", "c4"];

    /// <summary>Four live servers past the start-up wait, and chunk 7 just allocated to a pipeline of c1, c2 and c3.</summary>
    private static DirectoryFixture PipelineOfThreeAmongFour()
    {
        var f = new DirectoryFixture();
        foreach (var id in FourServers)
        {
            f.Full(id);
        }
        f.Settle(FourServers);
        f.Directory.ExpectReplicas(7, 1, [Address("c1"), Address("c2"), Address("c3")]);
        return f;
    }

    private static ChunkServerAddress Address(string id) => new(id, "127.0.0.1", Port(id));
}
