using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Storage;

namespace Dfs.Raft.Tests.Storage;

public sealed class FileSnapshotStoreTests : IDisposable
{
    private static readonly ClusterConfiguration Members = new(["m1", "m2", "m3"], ["m4"]);

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static byte[] Body(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static byte[] ReadAll(SnapshotPayload payload)
    {
        using var stream = payload.OpenRead();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private string SnapshotDir => Path.Combine(_folder.Path, "snapshots");

    [Fact]
    public void Save_BecomesLatest_AndReopeningFindsItWithItsMetadataAndBody()
    {
        var body = Body(1, 200_000);
        var store = new FileSnapshotStore(_folder.Path);
        Assert.Null(store.Latest);

        var payload = store.Save(new SnapshotMetadata(42, 3, Members), s => s.Write(body));

        Assert.Equal(body.Length, payload.Length);
        Assert.Equal(body, ReadAll(payload));
        var reopened = new FileSnapshotStore(_folder.Path);
        var latest = Assert.NotNull(reopened.Latest);
        Assert.Equal(new SnapshotMetadata(42, 3, Members), latest.Metadata);
        Assert.Equal(body, ReadAll(latest.Payload));
        Assert.True(File.Exists(Path.Combine(SnapshotDir, "000000000000002a-0000000000000003.snap")));
    }

    [Fact]
    public void LeftoverTempFile_FromACrashedSave_IsIgnoredAndRemoved()
    {
        var store = new FileSnapshotStore(_folder.Path);
        store.Save(new SnapshotMetadata(10, 1, Members), s => s.Write(Body(1, 1000)));
        var temp = Path.Combine(SnapshotDir, "0000000000000014-0000000000000002.snap.tmp");
        File.WriteAllBytes(temp, Body(2, 500));

        var reopened = new FileSnapshotStore(_folder.Path);

        Assert.Equal(10, reopened.Latest!.Value.Metadata.Index);
        Assert.False(File.Exists(temp));
    }

    [Fact]
    public void Save_WhoseWriterThrows_LeavesThePreviousSnapshotAndNoTempFile()
    {
        var store = new FileSnapshotStore(_folder.Path);
        store.Save(new SnapshotMetadata(10, 1, Members), s => s.Write(Body(1, 1000)));

        Assert.Throws<IOException>(() => store.Save(new SnapshotMetadata(20, 1, Members), s =>
        {
            s.Write(Body(2, 1000));
            throw new IOException("state machine failed");
        }));

        Assert.Equal(10, store.Latest!.Value.Metadata.Index);
        Assert.Equal(10, new FileSnapshotStore(_folder.Path).Latest!.Value.Metadata.Index);
        Assert.Empty(Directory.GetFiles(SnapshotDir, "*.tmp"));
    }

    [Fact]
    public void Save_KeepsTheLatestAndThePreviousOne_AndRemovesOlderOnes()
    {
        var store = new FileSnapshotStore(_folder.Path);
        for (var i = 1; i <= 4; i++)
        {
            store.Save(new SnapshotMetadata(i * 10, 1, Members), s => s.Write(Body(i, 100)));
        }

        var names = Directory.GetFiles(SnapshotDir).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "000000000000001e-0000000000000001.snap", "0000000000000028-0000000000000001.snap" }, names);
        Assert.Equal(40, store.Latest!.Value.Metadata.Index);
    }

    [Fact]
    public void CorruptLatest_FallsBackToThePreviousValidSnapshot()
    {
        var store = new FileSnapshotStore(_folder.Path);
        store.Save(new SnapshotMetadata(10, 1, Members), s => s.Write(Body(1, 5000)));
        var latest = store.Save(new SnapshotMetadata(20, 2, Members), s => s.Write(Body(2, 5000)));
        var path = ((FileSliceSnapshotPayload)latest).Path;
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        var reopened = new FileSnapshotStore(_folder.Path);

        var fallback = Assert.NotNull(reopened.Latest);
        Assert.Equal(new SnapshotMetadata(10, 1, Members), fallback.Metadata);
        Assert.Equal(Body(1, 5000), ReadAll(fallback.Payload));
        Assert.True(File.Exists(path + ".corrupt"), "the damaged snapshot should be set aside for inspection");
    }

    [Fact]
    public void TruncatedLatest_MissingItsTrailer_IsNotUsed()
    {
        var store = new FileSnapshotStore(_folder.Path);
        var latest = store.Save(new SnapshotMetadata(20, 2, Members), s => s.Write(Body(2, 5000)));
        var path = ((FileSliceSnapshotPayload)latest).Path;
        using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite))
        {
            RandomAccess.SetLength(handle, RandomAccess.GetLength(handle) - 10);
        }

        Assert.Null(new FileSnapshotStore(_folder.Path).Latest);
    }

    [Fact]
    public void Save_OlderThanLatest_IsRefusedAndWritesNothing()
    {
        var store = new FileSnapshotStore(_folder.Path);
        store.Save(new SnapshotMetadata(20, 2, Members), s => s.Write(Body(2, 100)));

        Assert.Throws<ArgumentException>(() => store.Save(new SnapshotMetadata(10, 1, Members), s => s.Write(Body(1, 100))));

        Assert.Single(Directory.GetFiles(SnapshotDir));
    }

    [Fact]
    public void Payload_StreamIsLimitedToTheBody_AndSeekable()
    {
        var body = Body(3, 10_000);
        var store = new FileSnapshotStore(_folder.Path);
        var payload = store.Save(new SnapshotMetadata(5, 1, Members), s => s.Write(body));

        using var stream = payload.OpenRead();
        stream.Position = 9_990;
        var tail = new byte[100];
        var read = stream.Read(tail);

        Assert.Equal(10, read);
        Assert.Equal(body.AsSpan(9_990).ToArray(), tail.AsSpan(0, 10).ToArray());
        Assert.Equal(0, stream.Read(tail));
    }
}
