using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Testing;

namespace Dfs.ChunkServer.Tests.Storage;

/// <summary>The contract and the on-disk promises of <see cref="FileChunkStore"/>, on real files in a temp folder.</summary>
public sealed class FileChunkStoreTests : ChunkStoreContractTests
{
    private readonly TestDirectory _folder = TestDirectory.Create("chunk-store");
    private readonly List<FileChunkStore> _stores = [];

    protected override IChunkStore CreateStore(long capacityBytes = 0) => Open(capacityBytes);

    private FileChunkStore Open(long capacityBytes = 0)
    {
        var store = new FileChunkStore(new FileChunkStoreOptions { RootPath = _folder.Path, CapacityBytes = capacityBytes });
        _stores.Add(store);
        return store;
    }

    /// <summary>What a process death leaves: open files closed, nothing committed, a new store over the same folder.</summary>
    private FileChunkStore Restart(FileChunkStore store)
    {
        store.Dispose();
        return Open();
    }

    protected override void Dispose(bool disposing)
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }
        _folder.Dispose();
        base.Dispose(disposing);
    }

    private string ChunkFile(string name) => _folder.Combine("chunks", name);

    private static void FlipBit(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        var b = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(b ^ 0x10));
        file.Flush(flushToDisk: true);
    }

    private static string[] FilesUnder(string folder) =>
        Directory.Exists(folder) ? Directory.GetFiles(folder).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray() : [];

    [Fact]
    public async Task CommittedReplica_IsDataFileNamedByVersionPlusMeta()
    {
        var store = Open();

        await WriteChunkAsync(store, new ChunkId(0xab), 7, Bytes(10, 1), split: 10);

        Assert.Equal(["00000000000000ab.7.data", "00000000000000ab.meta"], FilesUnder(_folder.Combine("chunks")));
        Assert.Empty(FilesUnder(_folder.Combine("pending")));
    }

    [Fact]
    public async Task FlippedBitInDataFile_IsNotServedAndReplicaIsQuarantinedAndReported()
    {
        var store = Open();
        var reported = new List<ReplicaCorruptedEventArgs>();
        store.ReplicaCorrupted += (_, e) => reported.Add(e);
        var id = new ChunkId(1);
        var data = Bytes(3 * Block, 1);
        var info = await WriteChunkAsync(store, id, 1, data, split: Block);
        FlipBit(ChunkFile($"{id}.1.data"), (2 * Block) + 100);

        await using var reader = store.OpenRead(id, 1, Block, 2 * Block);
        var buffer = new byte[2 * Block];
        Assert.Equal(Block, await reader.ReadAsync(buffer.AsMemory(0, Block), default));
        var error = await Assert.ThrowsAsync<ChunkStoreException>(async () => await reader.ReadAsync(buffer.AsMemory(Block), default));

        Assert.Equal(ChunkError.Corrupt, error.Error);
        Assert.Equal(data.AsSpan(Block, Block).ToArray(), buffer.AsSpan(0, Block).ToArray());
        Assert.All(buffer.AsSpan(Block).ToArray(), b => Assert.Equal(0, b));
        Assert.Equal(info, Assert.Single(reported).Chunk);
        Assert.Null(store.TryGet(id));
        Assert.Empty(FilesUnder(_folder.Combine("chunks")));
        Assert.Equal(2, FilesUnder(_folder.Combine("corrupt")).Length);
        Assert.Equal(ChunkError.NotFound, Assert.Throws<ChunkStoreException>(() => store.OpenRead(id, 1, 0, 1)).Error);
        Assert.Empty(Restart(store).List());
    }

    [Fact]
    public async Task WriteWithCheckedPacketCrcs_CommitsTheWholeChunkCrcAndServesTheBytes()
    {
        var store = Open();
        var id = new ChunkId(0x31);
        var data = Bytes((3 * Block) + 500, 31);
        await using (var writer = store.BeginWrite(id, 1))
        {
            // Whole blocks with their CRC, then a piece cut across no block boundary, then the tail.
            for (var start = 0; start < data.Length; start += Block)
            {
                var piece = data.AsMemory(start, Math.Min(Block, data.Length - start));
                await writer.WriteAsync(piece, Dfs.Common.Hashing.Crc32C.Compute(piece.Span), default);
            }
            var info = await writer.CommitAsync(default);

            Assert.Equal(Dfs.Common.Hashing.Crc32C.Compute(data), info.Checksum);
        }
        Assert.Equal(data, await ReadAllAsync(store, id, 1, 0, data.Length));
        Assert.True(await store.VerifyAsync(id, default));
    }

    [Fact]
    public async Task WholeBlockWrittenWithAWrongCrc_IsNeverServed()
    {
        var store = Open();
        var id = new ChunkId(0x32);
        var data = Bytes(2 * Block, 32);
        await using (var writer = store.BeginWrite(id, 1))
        {
            await writer.WriteAsync(data.AsMemory(0, Block), Dfs.Common.Hashing.Crc32C.Compute(data.AsSpan(0, Block)), default);
            await writer.WriteAsync(data.AsMemory(Block), Dfs.Common.Hashing.Crc32C.Compute(data.AsSpan(Block)) ^ 1, default);
            await writer.CommitAsync(default);
        }

        await using var reader = store.OpenRead(id, 1, 0, data.Length);
        var buffer = new byte[data.Length];
        Assert.Equal(Block, (await reader.ReadVerifiedAsync(buffer, default)).Count);
        var error = await Assert.ThrowsAsync<ChunkStoreException>(async () => await reader.ReadVerifiedAsync(buffer.AsMemory(Block), default));
        Assert.Equal(ChunkError.Corrupt, error.Error);
    }

    [Theory]
    [InlineData(0, 3 * Block)]
    [InlineData(100, (2 * Block) + 50)]
    [InlineData(Block - 1, 2)]
    public async Task ReadVerified_ReturnsPiecesWithinBlocksWithTheirOwnCrc(int offset, int length)
    {
        var store = Open();
        var id = new ChunkId(0x33);
        var data = Bytes((3 * Block) + 77, 33);
        await WriteChunkAsync(store, id, 1, data, split: 10_000);

        await using var reader = store.OpenRead(id, 1, offset, length);
        var read = new List<byte>();
        var buffer = new byte[Block];
        while (true)
        {
            var piece = await reader.ReadVerifiedAsync(buffer, default);
            if (piece.Count == 0)
            {
                break;
            }
            var start = offset + read.Count;
            Assert.True(start / Block == (start + piece.Count - 1) / Block, $"The piece at {start} of {piece.Count} bytes crosses a block boundary.");
            Assert.Equal(Dfs.Common.Hashing.Crc32C.Compute(buffer.AsSpan(0, piece.Count)), piece.Crc);
            read.AddRange(buffer.AsSpan(0, piece.Count));
        }
        Assert.Equal(data.AsSpan(offset, length).ToArray(), read.ToArray());
    }

    [Fact]
    public async Task ReadVerified_OfAFlippedBlock_IsCorruptAndReturnsNothingOfIt()
    {
        var store = Open();
        var id = new ChunkId(0x34);
        await WriteChunkAsync(store, id, 1, Bytes(2 * Block, 34), split: Block);
        FlipBit(ChunkFile($"{id}.1.data"), Block + 5);

        await using var reader = store.OpenRead(id, 1, 0, 2 * Block);
        var buffer = new byte[Block];
        Assert.Equal(Block, (await reader.ReadVerifiedAsync(buffer, default)).Count);
        var error = await Assert.ThrowsAsync<ChunkStoreException>(async () => await reader.ReadVerifiedAsync(buffer, default));

        Assert.Equal(ChunkError.Corrupt, error.Error);
        Assert.Null(store.TryGet(id));
    }

    [Fact]
    public async Task FlippedBitInDataFile_FailsVerification()
    {
        var store = Open();
        var reported = new List<ReplicaCorruptedEventArgs>();
        store.ReplicaCorrupted += (_, e) => reported.Add(e);
        var id = new ChunkId(2);
        await WriteChunkAsync(store, id, 1, Bytes(Block + 10, 2), split: Block);
        FlipBit(ChunkFile($"{id}.1.data"), Block + 9);

        Assert.False(await store.VerifyAsync(id, default));

        Assert.Single(reported);
        Assert.Null(store.TryGet(id));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    [InlineData(45)]
    public async Task FlippedBitInMeta_IsDetectedOnOpenAndNotServed(int offset)
    {
        var store = Open();
        var id = new ChunkId(3);
        await WriteChunkAsync(store, id, 1, Bytes(Block + 1, 3), split: Block);
        await WriteChunkAsync(store, new ChunkId(4), 1, Bytes(5, 4), split: 5);
        FlipBit(ChunkFile($"{id}.meta"), offset);

        var reopened = Restart(store);

        Assert.Equal([new ChunkId(4)], reopened.List().Select(c => c.Id));
        Assert.Equal(ChunkError.NotFound, Assert.Throws<ChunkStoreException>(() => reopened.OpenRead(id, 0, 0, 1)).Error);
        Assert.Contains(FilesUnder(_folder.Combine("corrupt")), f => f.StartsWith($"{id}.meta", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WriteAbandonedBeforeCommit_IsNotServedAfterRestart()
    {
        var store = Open();
        var id = new ChunkId(5);
        var writer = store.BeginWrite(id, 1);
        await writer.WriteAsync(Bytes(2 * Block, 5), default);

        var reopened = Restart(store);

        Assert.Empty(reopened.List());
        Assert.Equal(ChunkError.NotFound, Assert.Throws<ChunkStoreException>(() => reopened.OpenRead(id, 0, 0, 0)).Error);
        // Never flushed: nothing of it was acknowledged, so nothing of it is kept.
        Assert.Empty(FilesUnder(_folder.Combine("pending")));
        Assert.Equal(ChunkError.NotFound, Assert.Throws<ChunkStoreException>(() => reopened.ResumeWrite(id, 2, 0)).Error);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public async Task CommittedDataFileOfWrongLength_IsNotServedAfterRestart(int change)
    {
        var store = Open();
        var id = new ChunkId(6);
        await WriteChunkAsync(store, id, 1, Bytes(2 * Block, 6), split: Block);
        using (var file = new FileStream(ChunkFile($"{id}.1.data"), FileMode.Open, FileAccess.ReadWrite))
        {
            file.SetLength(file.Length + change);
        }

        var reopened = Restart(store);

        Assert.Empty(reopened.List());
        Assert.Empty(FilesUnder(_folder.Combine("chunks")));
        Assert.Equal(ChunkError.NotFound, Assert.Throws<ChunkStoreException>(() => reopened.OpenRead(id, 0, 0, 1)).Error);
    }

    [Fact]
    public async Task CrashBetweenDataMoveAndMetaRename_KeepsServingTheOlderVersion()
    {
        var store = Open();
        var id = new ChunkId(7);
        var older = Bytes(100, 1);
        await WriteChunkAsync(store, id, 1, older, split: 100);
        // What a crash leaves between moving version 2's data into place and renaming its meta over version 1's.
        File.WriteAllBytes(ChunkFile($"{id}.2.data"), Bytes(300, 2));
        File.WriteAllBytes(ChunkFile($"{id}.meta.tmp"), [1, 2, 3]);

        var reopened = Restart(store);

        Assert.Equal(1, reopened.TryGet(id)!.Version);
        Assert.Equal(older, await ReadAllAsync(reopened, id, 1, 0, 100));
        Assert.Equal([$"{id}.1.data", $"{id}.meta"], FilesUnder(_folder.Combine("chunks")));
    }

    [Fact]
    public async Task NewerVersion_RemovesOlderDataFileAndSurvivesRestart()
    {
        var store = Open();
        var id = new ChunkId(8);
        await WriteChunkAsync(store, id, 1, Bytes(Block, 1), split: Block);
        var newer = Bytes(Block + 2, 2);
        await WriteChunkAsync(store, id, 3, newer, split: 1000);

        var reopened = Restart(store);

        Assert.Equal([$"{id}.3.data", $"{id}.meta"], FilesUnder(_folder.Combine("chunks")));
        Assert.Equal(3, reopened.TryGet(id)!.Version);
        Assert.Equal(newer, await ReadAllAsync(reopened, id, 3, 0, newer.Length));
        Assert.Equal(ChunkError.StaleVersion, Assert.Throws<ChunkStoreException>(() => reopened.OpenRead(id, 4, 0, 1)).Error);
    }

    [Fact]
    public async Task Reopen_ListsExactlyTheCommittedReplicas()
    {
        var store = Open();
        var a = await WriteChunkAsync(store, new ChunkId(10), 1, Bytes(Block * 2, 10), split: 3000);
        var b = await WriteChunkAsync(store, new ChunkId(11), 4, Bytes(0, 11), split: 1);
        await WriteChunkAsync(store, new ChunkId(12), 1, Bytes(10, 12), split: 10);
        store.Delete(new ChunkId(12));
        var pending = store.BeginWrite(new ChunkId(13), 1);
        await pending.WriteAsync(Bytes(100, 13), default);
        await pending.FlushAsync(default);

        var reopened = Restart(store);

        Assert.Equal([a, b], reopened.List());
        // Free space is the disk's, which other processes change between two reads of it: only what the store counts is compared.
        var usage = reopened.GetUsage();
        Assert.Equal(((Block * 2) + 100L, 2), (usage.UsedBytes, usage.ChunkCount));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(Block - 1, false)]
    [InlineData(Block, false)]
    [InlineData(Block + 50, false)]
    [InlineData((2 * Block) + 100, false)]
    [InlineData(Block + 50, true)]
    [InlineData((2 * Block) + 100, true)]
    public async Task FlushedWrite_IsResumableAfterRestartFromAnyAcknowledgedOffset(int offset, bool flushEachPiece)
    {
        var store = Open();
        var id = new ChunkId(14);
        var first = Bytes((2 * Block) + 100, 14);
        var writer = store.BeginWrite(id, 1);
        for (var at = 0; at < first.Length; at += 7000)
        {
            await writer.WriteAsync(first.AsMemory(at, Math.Min(7000, first.Length - at)), default);
            if (flushEachPiece)
            {
                // Acknowledged piece by piece: the CRC sidecar lags behind the data (it is refreshed every MiB).
                await writer.FlushAsync(default);
            }
        }
        await writer.FlushAsync(default);

        var reopened = Restart(store);
        Assert.Equal(ChunkError.BadRange, Assert.Throws<ChunkStoreException>(() => reopened.ResumeWrite(id, 2, first.Length + 1)).Error);
        var rest = Bytes(Block + 3, 15);
        await using (var resumed = reopened.ResumeWrite(id, 2, offset))
        {
            await WriteInPiecesAsync(resumed, rest, 4096);
            await resumed.CommitAsync(default);
        }

        var expected = first.AsSpan(0, offset).ToArray().Concat(rest).ToArray();
        var again = Restart(reopened);
        Assert.Equal(expected, await ReadAllAsync(again, id, 2, 0, expected.Length));
        Assert.True(await again.VerifyAsync(id, default));
        Assert.Empty(FilesUnder(_folder.Combine("pending")));
    }

    [Fact]
    public async Task WriteNeverFlushed_IsDiscardedAtRestart()
    {
        var store = Open();
        var id = new ChunkId(19);
        var writer = store.BeginWrite(id, 1);
        await writer.WriteAsync(Bytes(Block, 19), default);

        var reopened = Restart(store);

        Assert.Equal(ChunkError.NotFound, Assert.Throws<ChunkStoreException>(() => reopened.ResumeWrite(id, 2, 0)).Error);
        Assert.Empty(FilesUnder(_folder.Combine("pending")));
        Assert.Equal(0, reopened.GetUsage().UsedBytes);
    }

    [Fact]
    public async Task FlushedWriteCorruptedOnDisk_IsRefusedOnResume()
    {
        var store = Open();
        var id = new ChunkId(15);
        var writer = store.BeginWrite(id, 1);
        await writer.WriteAsync(Bytes((2 * Block) + 10, 15), default);
        await writer.FlushAsync(default);
        var reopened = Restart(store);
        FlipBit(_folder.Combine("pending", $"{id}.1.data"), Block + 3);

        var error = Assert.Throws<ChunkStoreException>(() => reopened.ResumeWrite(id, 2, 2 * Block));

        Assert.Equal(ChunkError.Corrupt, error.Error);
        Assert.Empty(FilesUnder(_folder.Combine("pending")));
        Assert.Equal(ChunkError.NotFound, Assert.Throws<ChunkStoreException>(() => reopened.ResumeWrite(id, 2, 0)).Error);
    }

    [Fact]
    public async Task ResumeAtNewVersion_RenamesThePendingWrite()
    {
        var store = Open();
        var id = new ChunkId(16);
        await using (var writer = store.BeginWrite(id, 1))
        {
            await writer.WriteAsync(Bytes(100, 16), default);
            await writer.FlushAsync(default);
        }

        await using var resumed = store.ResumeWrite(id, 2, 60);

        // Version 1's files are gone: a restart now finds only the write at version 2, with its CRC record.
        Assert.Equal([$"{id}.2.crc0", $"{id}.2.data"], FilesUnder(_folder.Combine("pending")));
        Assert.Equal(60, new FileInfo(_folder.Combine("pending", $"{id}.2.data")).Length);
    }

    [Fact]
    public async Task DiskFull_LeavesNoFileBehind()
    {
        var store = Open(capacityBytes: Block);
        var id = new ChunkId(17);

        await using (var writer = store.BeginWrite(id, 1))
        {
            await writer.WriteAsync(Bytes(Block - 1, 1), default);
            await writer.FlushAsync(default);
            var error = await Assert.ThrowsAsync<ChunkStoreException>(async () => await writer.WriteAsync(Bytes(2, 2), default));
            Assert.Equal(ChunkError.DiskFull, error.Error);
            Assert.Equal(ChunkError.DiskFull, (await Assert.ThrowsAsync<ChunkStoreException>(async () => await writer.CommitAsync(default))).Error);
        }

        Assert.Empty(FilesUnder(_folder.Combine("pending")));
        Assert.Empty(FilesUnder(_folder.Combine("chunks")));
        Assert.Equal(0, store.GetUsage().UsedBytes);
        Assert.Empty(Restart(store).List());
    }

    [Fact]
    public async Task WriteBeyondTheDisksFreeSpace_IsDiskFull()
    {
        // Capacity 0 means the disk's free space; a reserve larger than any disk makes every write too big for it.
        var store = new FileChunkStore(new FileChunkStoreOptions { RootPath = _folder.Path, ReservedDiskBytes = long.MaxValue / 2 });
        _stores.Add(store);
        await using (var writer = store.BeginWrite(new ChunkId(18), 1))
        {
            var error = await Assert.ThrowsAsync<ChunkStoreException>(async () => await writer.WriteAsync(new byte[1], default));
            Assert.Equal(ChunkError.DiskFull, error.Error);
            Assert.Contains("free on the disk", error.Message, StringComparison.Ordinal);
        }

        Assert.Empty(FilesUnder(_folder.Combine("pending")));
        Assert.Equal(0, store.GetUsage().FreeBytes);
    }
}
