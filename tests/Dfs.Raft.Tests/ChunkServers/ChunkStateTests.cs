using Dfs.Raft.ChunkServers;
using static Dfs.Raft.Tests.ChunkServers.DirectoryFixture;

namespace Dfs.Raft.Tests.ChunkServers;

/// <summary>The compact record of one chunk: packed holders, and the repair state that exists only while it is used.</summary>
public sealed class ChunkStateTests
{
    private static readonly ServerState First = new("c1", 0);
    private static readonly ServerState Last = new("c65536", ushort.MaxValue);

    [Fact]
    public void Holders_KeepEachServersVersion_ReplaceIt_AndForgetIt()
    {
        var chunk = new ChunkState(7);

        Assert.True(chunk.SetHolder(First, 3));
        Assert.True(chunk.SetHolder(Last, ChunkState.MaxVersion));
        Assert.False(chunk.SetHolder(First, 4));

        Assert.Equal([(0, 4L), (ushort.MaxValue, ChunkState.MaxVersion)],
            chunk.PackedHolders.Select(p => (ChunkState.ServerIndexOf(p), ChunkState.VersionOf(p))));
        Assert.True(chunk.RemoveHolder(First));
        Assert.False(chunk.RemoveHolder(First));
        Assert.False(chunk.Holds(First));
        Assert.True(chunk.Holds(Last));
        Assert.Equal(1, chunk.HolderCount);
    }

    [Fact]
    public void AHolderArrayTakenBeforeAChange_StaysAsItWas()
    {
        var chunk = new ChunkState(7);
        chunk.SetHolder(First, 1);
        var before = chunk.PackedHolders;

        chunk.SetHolder(First, 2);
        chunk.SetHolder(Last, 2);

        Assert.Equal(1, ChunkState.VersionOf(Assert.Single(before)));
    }

    [Fact]
    public void AVersionBeyond48Bits_IsRefused()
    {
        var chunk = new ChunkState(7);

        Assert.Throws<ArgumentOutOfRangeException>(() => chunk.SetHolder(First, ChunkState.MaxVersion + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => chunk.SetHolder(First, -1));
        Assert.Equal(0, chunk.HolderCount);
    }

    [Fact]
    public void RepairState_KeepsEachPart_UntilEveryPartIsCleared()
    {
        var chunk = new ChunkState(7);
        chunk.Copies++;
        (chunk.Avoid ??= [])["c2"] = 99;

        chunk.Copies--;
        Assert.Equal(99, chunk.Avoid!["c2"]);
        chunk.Expected = null;
        Assert.NotNull(chunk.Avoid);

        chunk.Avoid = null;
        Assert.Null(chunk.Avoid);
        Assert.Equal(0, chunk.Copies);
    }

    [Fact]
    public void AReportedVersionBeyond48Bits_IsIgnored_AndTheOtherReplicasCount()
    {
        using var f = new DirectoryFixture();
        f.Full("c1", Chunk(1, version: ChunkState.MaxVersion + 1), Chunk(2));
        f.Full("c2", Chunk(2));

        Assert.Empty(f.Directory.Replicas(1, 0));
        Assert.Equal(["c1", "c2"], f.Directory.Replicas(2, 1).Select(r => r.Id).Order());
        Assert.Equal(1, f.Directory.View().Servers.Single(s => s.Id == "c1").ChunkCount);
    }
}
