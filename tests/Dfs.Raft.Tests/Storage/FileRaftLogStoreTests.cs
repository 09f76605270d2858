using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Storage;

namespace Dfs.Raft.Tests.Storage;

public sealed class FileRaftLogStoreTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string LogDir => Path.Combine(_folder.Path, "log");

    private FileRaftLogStore Open(long segmentSize = FileRaftLogStore.DefaultSegmentSize) => new(LogDir, segmentSize);

    private static LogEntry Entry(long term, long index, int size = 8)
    {
        var payload = new byte[size];
        for (var i = 0; i < size; i++)
        {
            payload[i] = (byte)(index * 31 + term * 7 + i);
        }
        return new LogEntry(term, index, EntryKind.Command, payload);
    }

    private static LogEntry[] Entries(long term, long from, long to, int size = 8) =>
        Enumerable.Range(0, (int)(to - from + 1)).Select(i => Entry(term, from + i, size)).ToArray();

    private static string Describe(IEnumerable<LogEntry> entries) =>
        string.Join(",", entries.Select(e => $"{e.Index}@{e.Term}:{Convert.ToHexString(e.Payload.Span)}"));

    private RecoveredLog Reopen(long segmentSize = FileRaftLogStore.DefaultSegmentSize)
    {
        using var store = Open(segmentSize);
        return store.Recover();
    }

    private string LastSegment() => Directory.GetFiles(LogDir, "*.log").Order(StringComparer.Ordinal).Last();

    [Fact]
    public void EntriesAndHardState_SurviveCloseAndReopen()
    {
        var written = new[] { Entry(1, 1), new LogEntry(1, 2, EntryKind.NoOp, ReadOnlyMemory<byte>.Empty), Entry(2, 3, 1000) };
        using (var store = Open())
        {
            Assert.Empty(store.Recover().Entries);
            store.Append(written);
            store.SetHardState(new HardState(2, "m2", 3));
            store.Sync();
        }

        var recovered = Reopen();

        Assert.Equal(Describe(written), Describe(recovered.Entries));
        Assert.Equal(EntryKind.NoOp, recovered.Entries[1].Kind);
        Assert.Equal(new HardState(2, "m2", 3), recovered.HardState);
    }

    [Fact]
    public void HardState_WithAndWithoutVote_RoundTrips_AndTheLatestWins()
    {
        using (var store = Open())
        {
            store.Recover();
            store.SetHardState(new HardState(5, "ünïcode-node", 0));
            store.SetHardState(new HardState(6, null, 4));
            store.Sync();
        }
        Assert.Equal(new HardState(6, null, 4), Reopen().HardState);

        using (var store = Open())
        {
            store.Recover();
            store.SetHardState(new HardState(7, "ünïcode-node", 4));
            store.Sync();
        }
        Assert.Equal(new HardState(7, "ünïcode-node", 4), Reopen().HardState);
    }

    [Fact]
    public void ConflictingAppend_ReplacesTheSuffix_AndSurvivesReopen()
    {
        using (var store = Open())
        {
            store.Recover();
            store.Append(Entries(1, 1, 6));
            store.Sync();
            store.Append(Entries(2, 4, 7));
            store.Sync();
        }

        Assert.Equal(Describe([.. Entries(1, 1, 3), .. Entries(2, 4, 7)]), Describe(Reopen().Entries));
    }

    [Fact]
    public void ConflictingAppend_CutAtAnyByte_RecoversTheOldLogOrAPrefixOfTheNew_NeverAMix()
    {
        long syncedLength;
        using (var store = Open())
        {
            store.Recover();
            store.Append(Entries(1, 1, 6));
            store.Sync();
            syncedLength = new FileInfo(LastSegment()).Length;
            store.Append(Entries(2, 4, 7));
            store.Sync();
        }
        var segment = LastSegment();
        var full = File.ReadAllBytes(segment);
        var oldLog = Describe(Entries(1, 1, 6));
        var outcomes = new HashSet<string>();

        for (var length = syncedLength; length <= full.Length; length++)
        {
            File.WriteAllBytes(segment, full.AsSpan(0, (int)length).ToArray());

            var entries = Reopen().Entries;

            var text = Describe(entries);
            var newPrefix = Describe([.. Entries(1, 1, 3), .. Entries(2, 4, Math.Max(3, entries.Count))]);
            Assert.True(text == oldLog || (entries.Count >= 3 && text == newPrefix),
                $"cut at byte {length} of {full.Length}: recovered {text}");
            outcomes.Add(text);
        }
        // Old log, the truncated log, and each of the four new entries appended.
        Assert.Equal(6, outcomes.Count);
    }

    [Fact]
    public void TornTail_LastRecordShortByAFewBytes_IsCutAndNotReturned_AndAppendsContinueAfterIt()
    {
        using (var store = Open())
        {
            store.Recover();
            store.Append(Entries(1, 1, 5, size: 100));
            store.Sync();
        }
        var segment = LastSegment();
        var fullLength = new FileInfo(segment).Length;
        using (var handle = File.OpenHandle(segment, FileMode.Open, FileAccess.ReadWrite))
        {
            RandomAccess.SetLength(handle, fullLength - 3);
        }

        using (var store = Open())
        {
            var recovered = store.Recover();
            Assert.Equal(Describe(Entries(1, 1, 4, size: 100)), Describe(recovered.Entries));
            Assert.Equal(fullLength - (9 + 17 + 100), new FileInfo(segment).Length);
            store.Append([Entry(2, 5)]);
            store.Sync();
        }

        Assert.Equal(Describe([.. Entries(1, 1, 4, size: 100), Entry(2, 5)]), Describe(Reopen().Entries));
    }

    [Fact]
    public void FlippedBit_InTheLastRecord_IsDetectedAndCut()
    {
        using (var store = Open())
        {
            store.Recover();
            store.Append(Entries(1, 1, 5, size: 100));
            store.Sync();
        }
        var segment = LastSegment();
        var bytes = File.ReadAllBytes(segment);
        bytes[^40] ^= 0x04;
        File.WriteAllBytes(segment, bytes);

        Assert.Equal(Describe(Entries(1, 1, 4, size: 100)), Describe(Reopen().Entries));
        Assert.Equal(bytes.Length - (9 + 17 + 100), new FileInfo(segment).Length);
    }

    [Fact]
    public void Garbage_AppendedAfterTheLastRecord_IsCut()
    {
        using (var store = Open())
        {
            store.Recover();
            store.Append(Entries(1, 1, 3));
            store.Sync();
        }
        var segment = LastSegment();
        var goodLength = new FileInfo(segment).Length;
        var garbage = new byte[777];
        new Random(42).NextBytes(garbage);
        using (var stream = new FileStream(segment, FileMode.Append))
        {
            stream.Write(garbage);
        }

        Assert.Equal(Describe(Entries(1, 1, 3)), Describe(Reopen().Entries));
        Assert.Equal(goodLength, new FileInfo(segment).Length);
    }

    [Fact]
    public void ZeroFilledTail_IsCut()
    {
        using (var store = Open())
        {
            store.Recover();
            store.Append(Entries(1, 1, 3));
            store.Sync();
        }
        var segment = LastSegment();
        var goodLength = new FileInfo(segment).Length;
        using (var stream = new FileStream(segment, FileMode.Append))
        {
            stream.Write(new byte[4096]);
        }

        Assert.Equal(3, Reopen().Entries.Count);
        Assert.Equal(goodLength, new FileInfo(segment).Length);
    }

    [Fact]
    public void SegmentsRoll_AtTheSizeLimit_AndReopenReadsThemAllInOrder()
    {
        using (var store = Open(segmentSize: 4096))
        {
            store.Recover();
            for (var i = 1; i <= 100; i += 10)
            {
                store.Append(Entries(1, i, i + 9, size: 200));
                store.Sync();
            }
            Assert.True(store.SegmentPaths.Count >= 5, $"expected at least 5 segments of 4 KiB for ~23 KB, saw {store.SegmentPaths.Count}");
            Assert.All(store.SegmentPaths.SkipLast(1), p => Assert.InRange(new FileInfo(p).Length, 1, 4096));
        }

        Assert.Equal(Describe(Entries(1, 1, 100, size: 200)), Describe(Reopen(segmentSize: 4096).Entries));
    }

    [Fact]
    public void CompactThrough_RemovesWholeSegmentsCovered_KeepsTheRest_AndTheHardState()
    {
        int before;
        using (var store = Open(segmentSize: 4096))
        {
            store.Recover();
            store.SetHardState(new HardState(3, "m1", 2));
            store.Append(Entries(3, 1, 100, size: 200));
            store.Sync();
            before = store.SegmentPaths.Count;

            store.CompactThrough(50);

            Assert.True(store.SegmentPaths.Count < before, $"expected fewer than {before} segments after compaction");
            Assert.Equal(store.SegmentPaths.Count, Directory.GetFiles(LogDir, "*.log").Length);
            store.Append([Entry(3, 101)]);
            store.Sync();
        }

        var recovered = Reopen(segmentSize: 4096);
        var first = recovered.Entries[0].Index;
        Assert.InRange(first, 2, 51);
        Assert.Equal(Describe([.. Entries(3, first, 100, size: 200), Entry(3, 101)]), Describe(recovered.Entries));
        Assert.Equal(new HardState(3, "m1", 2), recovered.HardState);
    }

    [Fact]
    public void CompactThrough_NeverRemovesTheActiveSegment()
    {
        using var store = Open();
        store.Recover();
        store.Append(Entries(1, 1, 10));
        store.Sync();

        store.CompactThrough(10);

        Assert.Single(store.SegmentPaths);
        store.Append([Entry(1, 11)]);
        Assert.Equal(11, store.LastIndex);
    }

    [Fact]
    public void MidLogCorruption_InAnOlderSegment_FailsLoudly()
    {
        using (var store = Open(segmentSize: 4096))
        {
            store.Recover();
            store.Append(Entries(1, 1, 60, size: 200));
            store.Sync();
        }
        var first = Directory.GetFiles(LogDir, "*.log").Order(StringComparer.Ordinal).First();
        var bytes = File.ReadAllBytes(first);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(first, bytes);

        using var reopened = Open(segmentSize: 4096);
        var error = Assert.Throws<InvalidDataException>(() => reopened.Recover());
        Assert.Contains(Path.GetFileName(first), error.Message, StringComparison.Ordinal);
        Assert.Contains("not the last segment", error.Message, StringComparison.Ordinal);
        Assert.Equal(bytes.Length, new FileInfo(first).Length);
    }

    [Fact]
    public void Reset_DiscardsTheLog_RemovesOldSegmentsAtSync_AndSurvivesReopen()
    {
        using (var store = Open(segmentSize: 4096))
        {
            store.Recover();
            store.SetHardState(new HardState(4, "m3", 40));
            store.Append(Entries(4, 1, 60, size: 200));
            store.Sync();

            store.Reset(1000);
            store.Append([Entry(5, 1000), Entry(5, 1001)]);
            store.Sync();

            Assert.Single(store.SegmentPaths);
            Assert.Single(Directory.GetFiles(LogDir, "*.log"));
        }

        var recovered = Reopen(segmentSize: 4096);
        Assert.Equal(Describe([Entry(5, 1000), Entry(5, 1001)]), Describe(recovered.Entries));
        Assert.Equal(new HardState(4, "m3", 40), recovered.HardState);
    }

    [Fact]
    public void Reset_WhoseOldSegmentsWereNotYetRemoved_RecoversFromTheNewBase()
    {
        var oldSegments = new List<(string Path, byte[] Bytes)>();
        using (var store = Open(segmentSize: 4096))
        {
            store.Recover();
            store.Append(Entries(1, 1, 40, size: 200));
            store.Sync();
            oldSegments.AddRange(store.SegmentPaths.Select(p => (p, File.ReadAllBytes(p))));
            store.Reset(500);
            store.Append([Entry(2, 500)]);
            store.Sync();
        }
        // A crash between the base segment becoming durable and the removals reaching the disk.
        foreach (var (path, bytes) in oldSegments)
        {
            File.WriteAllBytes(path, bytes);
        }

        Assert.Equal(Describe([Entry(2, 500)]), Describe(Reopen(segmentSize: 4096).Entries));
        Assert.Single(Directory.GetFiles(LogDir, "*.log"));
    }

    [Fact]
    public void Reset_WhoseBaseSegmentIsTorn_LeavesTheOldLog()
    {
        using (var store = Open())
        {
            store.Recover();
            store.Append(Entries(1, 1, 5));
            store.Sync();
            store.Reset(500);
            store.Append([Entry(2, 500)]);
            store.Dispose();
        }
        // The crash came before the Sync: the old segment is still there and the new base is torn.
        var baseSegment = LastSegment();
        using (var handle = File.OpenHandle(baseSegment, FileMode.Open, FileAccess.ReadWrite))
        {
            RandomAccess.SetLength(handle, 5);
        }

        Assert.Equal(Describe(Entries(1, 1, 5)), Describe(Reopen().Entries));
        Assert.False(File.Exists(baseSegment), "the torn segment that held nothing durable should be removed");
    }

    [Fact]
    public void TornNewSegment_AfterARoll_IsRemoved_AndTheLogEndsWithThePreviousOne()
    {
        using (var store = Open(segmentSize: 4096))
        {
            store.Recover();
            store.Append(Entries(1, 1, 30, size: 200));
            store.Sync();
        }
        var last = LastSegment();
        var survivors = Reopen(segmentSize: 4096).Entries.Count;
        var inLast = File.ReadAllBytes(last).Length;
        using (var handle = File.OpenHandle(last, FileMode.Open, FileAccess.ReadWrite))
        {
            RandomAccess.SetLength(handle, 7);
        }

        var recovered = Reopen(segmentSize: 4096);

        Assert.True(recovered.Entries.Count < survivors, $"expected entries of the torn segment ({inLast} bytes) to be gone");
        Assert.Equal(Describe(Entries(1, 1, recovered.Entries.Count, size: 200)), Describe(recovered.Entries));
        Assert.False(File.Exists(last));
    }

    [Fact]
    public void EntryLargerThanTheWriteBuffer_RoundTrips()
    {
        var big = Entry(1, 1, size: 1 << 20);
        using (var store = Open())
        {
            store.Recover();
            store.Append([big, Entry(1, 2)]);
            store.Sync();
        }

        Assert.Equal(Describe([big, Entry(1, 2)]), Describe(Reopen().Entries));
    }

    [Fact]
    public void Recover_CalledAgain_ReadsBackWhatWasWrittenSoFar_AndWritingContinues()
    {
        using var store = Open();
        store.Recover();
        store.Append(Entries(1, 1, 3));
        store.SetHardState(new HardState(1, "m1", 2));

        var again = store.Recover();

        Assert.Equal(Describe(Entries(1, 1, 3)), Describe(again.Entries));
        Assert.Equal(new HardState(1, "m1", 2), again.HardState);
        store.Append([Entry(1, 4)]);
        store.Sync();
        Assert.Equal(4, store.Recover().Entries.Count);
    }

    [Fact]
    public void Append_BeforeRecover_OrWithAGap_IsRefused()
    {
        using var store = Open();
        Assert.Throws<InvalidOperationException>(() => store.Append([Entry(1, 1)]));

        store.Recover();
        store.Append(Entries(1, 1, 3));

        Assert.Throws<ArgumentException>(() => store.Append([Entry(1, 5)]));
        Assert.Throws<ArgumentException>(() => store.Append([Entry(1, 4), Entry(1, 6)]));
        Assert.Equal(3, store.LastIndex);
    }
}
