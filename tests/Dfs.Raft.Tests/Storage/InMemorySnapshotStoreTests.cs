using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Storage;

namespace Dfs.Raft.Tests.Storage;

public sealed class InMemorySnapshotStoreTests
{
    private static readonly ClusterConfiguration Members = new(["a", "b", "c"]);

    private static byte[] ReadAll(SnapshotPayload payload)
    {
        using var stream = payload.OpenRead();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    [Fact]
    public void Save_BecomesLatest_AndSurvivesACrash()
    {
        var store = new InMemorySnapshotStore();
        Assert.Null(store.Latest);

        store.Save(new SnapshotMetadata(10, 2, Members), s => s.Write([1, 2, 3]));
        store.Crash(new Random(3));

        var latest = Assert.NotNull(store.Latest);
        Assert.Equal(new SnapshotMetadata(10, 2, Members), latest.Metadata);
        Assert.Equal(new byte[] { 1, 2, 3 }, ReadAll(latest.Payload));
    }

    [Fact]
    public void Save_WhoseWriterThrows_LeavesThePreviousSnapshotInForce()
    {
        var store = new InMemorySnapshotStore();
        store.Save(new SnapshotMetadata(10, 2, Members), s => s.Write([1]));

        Assert.Throws<IOException>(() => store.Save(new SnapshotMetadata(20, 2, Members), s =>
        {
            s.Write([2]);
            throw new IOException("disk full");
        }));

        Assert.Equal(10, store.Latest!.Value.Metadata.Index);
    }

    [Fact]
    public void Save_OlderThanLatest_IsRefused()
    {
        var store = new InMemorySnapshotStore();
        store.Save(new SnapshotMetadata(10, 2, Members), s => s.Write([1]));

        Assert.Throws<ArgumentException>(() => store.Save(new SnapshotMetadata(5, 1, Members), s => s.Write([2])));
        Assert.Equal(10, store.Latest!.Value.Metadata.Index);
    }
}
