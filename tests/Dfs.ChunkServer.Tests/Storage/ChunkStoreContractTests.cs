using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Common.Hashing;

namespace Dfs.ChunkServer.Tests.Storage;

/// <summary>The <see cref="IChunkStore"/> contract, run against every store.</summary>
public abstract class ChunkStoreContractTests : IDisposable
{
    protected const int Block = 64 * 1024;

    /// <summary>A fresh, empty store; capacity 0 means no limit beyond the medium's.</summary>
    protected abstract IChunkStore CreateStore(long capacityBytes = 0);

    public static TheoryData<int> RoundTripLengths => new() { 0, 1, Block - 1, Block, Block + 1, (3 * Block) + 17 };

    [Theory]
    [MemberData(nameof(RoundTripLengths))]
    public async Task WrittenChunk_ReadsBackExactly(int length)
    {
        var store = CreateStore();
        var data = Bytes(length, seed: length);

        var info = await WriteChunkAsync(store, new ChunkId(1), 1, data, split: 1000);

        Assert.Equal(new ChunkInfo(new ChunkId(1), 1, length, Crc32C.Compute(data)), info);
        Assert.Equal(data, await ReadAllAsync(store, new ChunkId(1), 1, 0, length));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(4093)]
    [InlineData(Block - 3)]
    [InlineData(Block + 5)]
    public async Task WritesInOddSplits_ReadBackExactly(int split)
    {
        var store = CreateStore();
        var data = Bytes((2 * Block) + 333, seed: split);

        await WriteChunkAsync(store, new ChunkId(2), 1, data, split);

        Assert.Equal(data, await ReadAllAsync(store, new ChunkId(2), 1, 0, data.Length));
    }

    [Fact]
    public async Task PacketsWrittenTogether_ReadBackExactly_WithTheChecksumsOfTheWholeReplica()
    {
        var store = CreateStore();
        var id = new ChunkId(20);
        // Whole blocks, then packets that leave block boundaries behind, then whole-sized packets across them.
        int[] sizes = [Block, Block, 10, Block - 10, Block, 3, Block, 0, 77];
        var data = Bytes(sizes.Sum(), seed: 20);
        var packets = new List<ReadOnlyMemory<byte>>();
        var at = 0;
        foreach (var size in sizes)
        {
            packets.Add(data.AsMemory(at, size));
            at += size;
        }

        await using (var writer = store.BeginWrite(id, 1))
        {
            await writer.WriteAsync(packets.Take(4).ToArray(), packets.Take(4).Select(p => Crc32C.Compute(p.Span)).ToArray(), CancellationToken.None);
            await writer.WriteAsync(packets.Skip(4).ToArray(), packets.Skip(4).Select(p => Crc32C.Compute(p.Span)).ToArray(), CancellationToken.None);
            Assert.Equal(data.Length, writer.Length);
            Assert.Equal(new ChunkInfo(id, 1, data.Length, Crc32C.Compute(data)), await writer.CommitAsync(CancellationToken.None));
        }

        Assert.Equal(data, await ReadAllAsync(store, id, 1, 0, data.Length));
        Assert.True(await store.VerifyAsync(id, CancellationToken.None));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(Block - 1, 2)]
    [InlineData(Block, Block)]
    [InlineData(100, (2 * Block) + 50)]
    [InlineData((3 * Block) + 10, 0)]
    public async Task RangeRead_ReturnsExactlyThatRange(int offset, int length)
    {
        var store = CreateStore();
        var data = Bytes((3 * Block) + 10, seed: 3);
        await WriteChunkAsync(store, new ChunkId(3), 1, data, split: 4096);

        var read = await ReadAllAsync(store, new ChunkId(3), 1, offset, length, bufferSize: 999);

        Assert.Equal(data.AsSpan(offset, length).ToArray(), read);
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(0, 101)]
    [InlineData(101, 0)]
    [InlineData(50, -1)]
    public async Task RangeOutsideReplica_IsBadRangeNamingTheLength(long offset, long length)
    {
        var store = CreateStore();
        await WriteChunkAsync(store, new ChunkId(4), 1, Bytes(100, 4), split: 100);

        var error = Assert.Throws<ChunkStoreException>(() => store.OpenRead(new ChunkId(4), 1, offset, length));

        Assert.Equal(ChunkError.BadRange, error.Error);
        Assert.Contains("100 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadRequiringNewerVersion_IsRefusedAsStale()
    {
        var store = CreateStore();
        await WriteChunkAsync(store, new ChunkId(5), 3, Bytes(10, 5), split: 10);

        var error = Assert.Throws<ChunkStoreException>(() => store.OpenRead(new ChunkId(5), 4, 0, 10));

        Assert.Equal(ChunkError.StaleVersion, error.Error);
    }

    [Fact]
    public async Task ReadAtOlderMinimumVersion_IsServed()
    {
        var store = CreateStore();
        var data = Bytes(10, 6);
        await WriteChunkAsync(store, new ChunkId(6), 3, data, split: 10);

        Assert.Equal(data, await ReadAllAsync(store, new ChunkId(6), 2, 0, 10));
    }

    [Fact]
    public void ReadOfAbsentChunk_IsNotFound()
    {
        var store = CreateStore();

        var error = Assert.Throws<ChunkStoreException>(() => store.OpenRead(new ChunkId(7), 0, 0, 0));

        Assert.Equal(ChunkError.NotFound, error.Error);
    }

    [Fact]
    public async Task PendingWrite_IsNeitherListedNorReadable()
    {
        var store = CreateStore();
        await using var writer = store.BeginWrite(new ChunkId(8), 1);
        await writer.WriteAsync(Bytes(100, 8), default);
        await writer.FlushAsync(default);

        Assert.Null(store.TryGet(new ChunkId(8)));
        Assert.Empty(store.List());
        Assert.Equal(ChunkError.NotFound, Assert.Throws<ChunkStoreException>(() => store.OpenRead(new ChunkId(8), 0, 0, 0)).Error);
    }

    [Fact]
    public async Task NewerVersion_ReplacesOlderReplica()
    {
        var store = CreateStore();
        await WriteChunkAsync(store, new ChunkId(9), 1, Bytes(Block + 1, 1), split: 5000);
        var newer = Bytes(300, 2);

        await WriteChunkAsync(store, new ChunkId(9), 2, newer, split: 7);

        Assert.Equal(2, store.TryGet(new ChunkId(9))!.Version);
        Assert.Single(store.List());
        Assert.Equal(newer, await ReadAllAsync(store, new ChunkId(9), 2, 0, newer.Length));
        Assert.Equal(300, store.GetUsage().UsedBytes);
    }

    [Fact]
    public async Task WriteAtSameOrOlderVersionThanCommitted_IsAlreadyExists()
    {
        var store = CreateStore();
        await WriteChunkAsync(store, new ChunkId(10), 5, Bytes(10, 10), split: 10);

        Assert.Equal(ChunkError.AlreadyExists, Assert.Throws<ChunkStoreException>(() => store.BeginWrite(new ChunkId(10), 5)).Error);
        Assert.Equal(ChunkError.AlreadyExists, Assert.Throws<ChunkStoreException>(() => store.BeginWrite(new ChunkId(10), 4)).Error);
        Assert.Equal(5, store.TryGet(new ChunkId(10))!.Version);
    }

    [Fact]
    public async Task SecondWriterOfSameChunk_IsConflict()
    {
        var store = CreateStore();
        await using var writer = store.BeginWrite(new ChunkId(11), 1);

        Assert.Equal(ChunkError.Conflict, Assert.Throws<ChunkStoreException>(() => store.BeginWrite(new ChunkId(11), 2)).Error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Block - 1)]
    [InlineData(Block)]
    [InlineData(Block + 1)]
    [InlineData((2 * Block) + 100)]
    public async Task ResumeWrite_KeepsExactlyOffsetBytesAndContinues(int offset)
    {
        var store = CreateStore();
        var id = new ChunkId(12);
        var first = Bytes((2 * Block) + 100, seed: 1);
        await using (var writer = store.BeginWrite(id, 1))
        {
            await WriteInPiecesAsync(writer, first, 3000);
            await writer.FlushAsync(default);
        }
        var rest = Bytes(Block + 7, seed: 2);

        ChunkInfo info;
        await using (var resumed = store.ResumeWrite(id, 2, offset))
        {
            Assert.Equal(offset, resumed.Length);
            Assert.Equal(2, resumed.Version);
            await WriteInPiecesAsync(resumed, rest, 5000);
            info = await resumed.CommitAsync(default);
        }

        var expected = first.AsSpan(0, offset).ToArray().Concat(rest).ToArray();
        Assert.Equal(new ChunkInfo(id, 2, expected.Length, Crc32C.Compute(expected)), info);
        Assert.Equal(expected, await ReadAllAsync(store, id, 2, 0, expected.Length));
    }

    [Fact]
    public async Task ResumeWrite_SupersedesTheEarlierWriter()
    {
        var store = CreateStore();
        var id = new ChunkId(13);
        await using var stale = store.BeginWrite(id, 1);
        await stale.WriteAsync(Bytes(10, 1), default);

        await using var resumed = store.ResumeWrite(id, 2, 10);

        var error = await Assert.ThrowsAsync<ChunkStoreException>(async () => await stale.WriteAsync(Bytes(1, 2), default));
        Assert.Equal(ChunkError.Conflict, error.Error);
        Assert.Equal(10, resumed.Length);
    }

    [Fact]
    public async Task ResumeWrite_BeyondHeldBytes_IsBadRangeAndChangesNothing()
    {
        var store = CreateStore();
        var id = new ChunkId(14);
        var data = Bytes(100, 14);
        await using (var writer = store.BeginWrite(id, 1))
        {
            await writer.WriteAsync(data, default);
            await writer.FlushAsync(default);
        }

        var error = Assert.Throws<ChunkStoreException>(() => store.ResumeWrite(id, 2, 101));
        Assert.Equal(ChunkError.BadRange, error.Error);

        await using var resumed = store.ResumeWrite(id, 2, 100);
        await resumed.CommitAsync(default);
        Assert.Equal(data, await ReadAllAsync(store, id, 2, 0, 100));
    }

    [Fact]
    public void ResumeWrite_WithNothingPending_IsNotFound()
    {
        var store = CreateStore();

        Assert.Equal(ChunkError.NotFound, Assert.Throws<ChunkStoreException>(() => store.ResumeWrite(new ChunkId(15), 2, 0)).Error);
    }

    [Fact]
    public async Task WriteBeyondCapacity_IsDiskFullAndLeavesNothingBehind()
    {
        var store = CreateStore(capacityBytes: (2 * Block) + 10);
        var kept = Bytes(Block, 1);
        await WriteChunkAsync(store, new ChunkId(16), 1, kept, split: Block);

        await using (var writer = store.BeginWrite(new ChunkId(17), 1))
        {
            await writer.WriteAsync(Bytes(Block, 2), default);
            var error = await Assert.ThrowsAsync<ChunkStoreException>(async () => await writer.WriteAsync(Bytes(11, 3), default));
            Assert.Equal(ChunkError.DiskFull, error.Error);
        }

        Assert.Equal(new StoreUsage(Block, Block + 10, 1), store.GetUsage());
        Assert.Equal(ChunkError.NotFound, Assert.Throws<ChunkStoreException>(() => store.ResumeWrite(new ChunkId(17), 2, 0)).Error);
        Assert.Equal([new ChunkId(16)], store.List().Select(c => c.Id));
        Assert.Equal(kept, await ReadAllAsync(store, new ChunkId(16), 1, 0, Block));
    }

    [Fact]
    public async Task Delete_RemovesReplicaAndIsIdempotent()
    {
        var store = CreateStore();
        await WriteChunkAsync(store, new ChunkId(18), 1, Bytes(10, 18), split: 10);

        store.Delete(new ChunkId(18));
        store.Delete(new ChunkId(18));

        Assert.Null(store.TryGet(new ChunkId(18)));
        Assert.Empty(store.List());
        Assert.Equal(0, store.GetUsage().UsedBytes);
        Assert.Equal(0, store.GetUsage().ChunkCount);
    }

    [Fact]
    public async Task Verify_OfIntactReplica_IsTrue()
    {
        var store = CreateStore();
        await WriteChunkAsync(store, new ChunkId(19), 1, Bytes((2 * Block) + 1, 19), split: Block);

        Assert.True(await store.VerifyAsync(new ChunkId(19), default));
        Assert.NotNull(store.TryGet(new ChunkId(19)));
    }

    [Fact]
    public async Task List_ReportsEveryCommittedReplicaInIdOrder()
    {
        var store = CreateStore();
        var b = await WriteChunkAsync(store, new ChunkId(21), 2, Bytes(5, 1), split: 5);
        var a = await WriteChunkAsync(store, new ChunkId(20), 1, Bytes(Block + 3, 2), split: 1 << 20);

        Assert.Equal([a, b], store.List());
        Assert.Equal(2, store.GetUsage().ChunkCount);
        Assert.Equal(Block + 8, store.GetUsage().UsedBytes);
    }

    [Fact]
    public async Task ReaderOpenedBeforeReplacement_KeepsReadingTheVersionItOpened()
    {
        var store = CreateStore();
        var id = new ChunkId(22);
        var older = Bytes((2 * Block) + 9, 1);
        await WriteChunkAsync(store, id, 1, older, split: Block);
        await using var reader = store.OpenRead(id, 1, 0, older.Length);
        var buffer = new byte[older.Length];
        var read = await reader.ReadAsync(buffer.AsMemory(0, 10), default);

        await WriteChunkAsync(store, id, 2, Bytes(50, 2), split: 50);
        while (read < buffer.Length)
        {
            read += await reader.ReadAsync(buffer.AsMemory(read), default);
        }

        Assert.Equal(older, buffer);
        Assert.Equal(2, store.TryGet(id)!.Version);
    }

    [Fact]
    public async Task ConcurrentWritersOfDifferentChunks_EachCommitTheirOwnBytes()
    {
        var store = CreateStore();
        var chunks = Enumerable.Range(0, 8).Select(i => (Id: new ChunkId((ulong)(100 + i)), Data: Bytes((Block * 2) + (i * 1000), 100 + i))).ToArray();

        await Task.WhenAll(chunks.Select(c => Task.Run(() => WriteChunkAsync(store, c.Id, 1, c.Data, split: 5000))));

        Assert.Equal(chunks.Select(c => c.Id), store.List().Select(i => i.Id));
        foreach (var (id, data) in chunks)
        {
            Assert.Equal(data, await ReadAllAsync(store, id, 1, 0, data.Length));
        }
    }

    protected static byte[] Bytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    protected static async Task WriteInPiecesAsync(IChunkWriter writer, byte[] data, int split)
    {
        for (var offset = 0; offset < data.Length; offset += split)
        {
            await writer.WriteAsync(data.AsMemory(offset, Math.Min(split, data.Length - offset)), default);
        }
    }

    protected static async Task<ChunkInfo> WriteChunkAsync(IChunkStore store, ChunkId id, long version, byte[] data, int split)
    {
        await using var writer = store.BeginWrite(id, version);
        await WriteInPiecesAsync(writer, data, split);
        await writer.FlushAsync(default);
        return await writer.CommitAsync(default);
    }

    protected static async Task<byte[]> ReadAllAsync(IChunkStore store, ChunkId id, long minimumVersion, long offset, long length, int bufferSize = 70_000)
    {
        await using var reader = store.OpenRead(id, minimumVersion, offset, length);
        var result = new List<byte>();
        var buffer = new byte[bufferSize];
        int read;
        while ((read = await reader.ReadAsync(buffer, default)) > 0)
        {
            result.AddRange(buffer.AsSpan(0, read));
        }
        Assert.Equal(0, reader.Remaining);
        return [.. result];
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
