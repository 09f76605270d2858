using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Storage;

namespace Dfs.Raft.Tests.Storage;

public sealed class InMemoryRaftLogStoreTests
{
    private static LogEntry Entry(long term, long index) => new(term, index, EntryKind.Command, new[] { (byte)index, (byte)term });

    private static LogEntry[] Entries(long term, long from, long to)
    {
        var result = new LogEntry[to - from + 1];
        for (var i = from; i <= to; i++)
        {
            result[i - from] = Entry(term, i);
        }
        return result;
    }

    private static string Describe(IReadOnlyList<LogEntry> entries) => string.Join(",", entries.Select(e => $"{e.Index}@{e.Term}"));

    [Fact]
    public void Recover_AfterSyncAndCrash_ReturnsEverythingSynced()
    {
        var store = new InMemoryRaftLogStore();
        store.Append(Entries(1, 1, 5));
        store.SetHardState(new HardState(1, "a", 3));
        store.Sync();

        store.Crash(new Random(7));

        var recovered = store.Recover();
        Assert.Equal(new HardState(1, "a", 3), recovered.HardState);
        Assert.Equal(Describe(Entries(1, 1, 5)), Describe(recovered.Entries));
    }

    [Fact]
    public void Crash_LosesUnsyncedWritesOrKeepsOnlyAPrefixOfThem()
    {
        var seenCounts = new HashSet<int>();
        for (var seed = 0; seed < 200; seed++)
        {
            var store = new InMemoryRaftLogStore();
            store.Append(Entries(1, 1, 3));
            store.Sync();
            store.Append(Entries(1, 4, 8));

            store.Crash(new Random(seed));

            var entries = store.Recover().Entries;
            // Whatever survives is 1..n for some n in [3, 8]: synced entries always, then a prefix of the rest.
            Assert.InRange(entries.Count, 3, 8);
            Assert.Equal(Describe(Entries(1, 1, entries.Count)), Describe(entries));
            seenCounts.Add(entries.Count);
        }
        Assert.Contains(3, seenCounts);
        Assert.Contains(8, seenCounts);
        Assert.True(seenCounts.Count > 3, $"expected several different prefixes to survive, saw {string.Join(",", seenCounts)}");
    }

    [Fact]
    public void Recover_WithoutCrash_ReturnsUnsyncedWritesToo()
    {
        var store = new InMemoryRaftLogStore();
        store.Append(Entries(1, 1, 2));
        store.SetHardState(new HardState(2, null, 1));

        var recovered = store.Recover();

        Assert.Equal(2, recovered.Entries.Count);
        Assert.Equal(new HardState(2, null, 1), recovered.HardState);
        Assert.Equal(3, store.UnsyncedOperationCount);
    }

    [Fact]
    public void ConflictingAppend_ReplacesTheSuffix_AndACrashNeverMixesOldAndNewSuffixes()
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var store = new InMemoryRaftLogStore();
            store.Append(Entries(1, 1, 6));
            store.Sync();
            store.Append(Entries(2, 4, 7));
            Assert.Equal(Describe([.. Entries(1, 1, 3), .. Entries(2, 4, 7)]), Describe(store.Recover().Entries));

            store.Crash(new Random(seed));

            var entries = store.Recover().Entries;
            var oldSuffix = Describe(Entries(1, 1, 6));
            var newPrefix = Describe([.. Entries(1, 1, 3), .. Entries(2, 4, entries.Count)]);
            var text = Describe(entries);
            Assert.True(text == oldSuffix || text == newPrefix, $"seed {seed}: recovered {text}, expected the old log or a prefix of the new one");
        }
    }

    [Fact]
    public void Append_WithAGap_IsRefusedAndChangesNothing()
    {
        var store = new InMemoryRaftLogStore();
        store.Append(Entries(1, 1, 3));

        Assert.Throws<ArgumentException>(() => store.Append(Entries(1, 5, 6)));
        Assert.Throws<ArgumentException>(() => store.Append([Entry(1, 4), Entry(1, 6)]));

        Assert.Equal(3, store.LastIndex);
    }

    [Fact]
    public void Append_CopiesPayloads_SoTheCallerMayReuseItsBuffer()
    {
        var store = new InMemoryRaftLogStore();
        var buffer = new byte[] { 1, 2, 3 };
        store.Append([new LogEntry(1, 1, EntryKind.Command, buffer)]);

        buffer[0] = 99;

        Assert.Equal(new byte[] { 1, 2, 3 }, store.Recover().Entries[0].Payload.ToArray());
    }

    [Fact]
    public void Reset_DiscardsTheLog_AndTheNextAppendStartsAtTheGivenIndex()
    {
        var store = new InMemoryRaftLogStore();
        store.Append(Entries(1, 1, 5));
        store.Sync();

        store.Reset(100);
        store.Append([Entry(3, 100)]);
        store.Sync();
        store.Crash(new Random(1));

        Assert.Equal("100@3", Describe(store.Recover().Entries));
        Assert.Throws<ArgumentException>(() => store.Append([Entry(3, 99)]));
    }

    [Fact]
    public void Reset_NotSynced_MayBeLostInACrash_LeavingTheOldLog()
    {
        var outcomes = new HashSet<string>();
        for (var seed = 0; seed < 50; seed++)
        {
            var store = new InMemoryRaftLogStore();
            store.Append(Entries(1, 1, 5));
            store.Sync();
            store.Reset(100);
            store.Crash(new Random(seed));
            outcomes.Add(Describe(store.Recover().Entries));
        }
        Assert.Equal(new HashSet<string> { Describe(Entries(1, 1, 5)), "" }, outcomes);
    }

    [Fact]
    public void CompactThrough_DropsEntriesUpToTheIndex_AndAppendsContinue()
    {
        var store = new InMemoryRaftLogStore();
        store.Append(Entries(1, 1, 10));
        store.CompactThrough(4);
        store.Append([Entry(1, 11)]);
        store.Sync();

        Assert.Equal(Describe(Entries(1, 5, 11)), Describe(store.Recover().Entries));
        Assert.Throws<ArgumentException>(() => store.Append([Entry(2, 3)]));
    }
}
