using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Storage;

namespace Dfs.Raft.Tests.Storage;

public sealed class SnapshotLogReconciliationTests
{
    private static readonly SnapshotMetadata SnapshotAt10Term3 = new(10, 3, new ClusterConfiguration(["a", "b", "c"]));

    private static LogEntry[] Entries(long term, long from, long to) =>
        Enumerable.Range((int)from, (int)(to - from + 1)).Select(i => new LogEntry(term, i, EntryKind.Command, new[] { (byte)i })).ToArray();

    private static string Describe(IReadOnlyList<LogEntry> entries) => string.Join(",", entries.Select(e => $"{e.Index}@{e.Term}"));

    /// <summary>A store holding <paramref name="entries"/>, synced, and the reconciliation of it with the snapshot at 10@3.</summary>
    private static (InMemoryRaftLogStore Store, SnapshotLogReconciliation.Result Result) ReconcileStoreHolding(params LogEntry[][] entries)
    {
        var store = new InMemoryRaftLogStore();
        foreach (var run in entries)
        {
            store.Append(run);
        }
        store.Sync();
        var result = SnapshotLogReconciliation.ReconcileStore(store, SnapshotAt10Term3, store.Recover().Entries);
        return (store, result);
    }

    private static void AssertStoreRestartsAfterSnapshot(InMemoryRaftLogStore store)
    {
        // The reset is durable: a crash right after boot does not bring the old log back.
        store.Crash(new Random(1));
        Assert.Empty(store.Recover().Entries);
        Assert.Equal(10, store.LastIndex);
        store.Append(Entries(4, 11, 11));
        Assert.Equal("11@4", Describe(store.Recover().Entries));
    }

    [Fact]
    public void WithoutSnapshot_KeepsTheWholeLog()
    {
        var entries = Entries(1, 1, 5);

        var result = SnapshotLogReconciliation.Reconcile(null, entries);

        Assert.Equal(Describe(entries), Describe(result.Entries));
        Assert.False(result.ResetLog);
        Assert.False(result.DiscardedEntries);
    }

    [Fact]
    public void LogHoldingTheSnapshotEntryAndMore_KeepsOnlyTheEntriesAfterIt()
    {
        var (store, result) = ReconcileStoreHolding(Entries(3, 1, 14));

        Assert.Equal(Describe(Entries(3, 11, 14)), Describe(result.Entries));
        Assert.False(result.ResetLog);
        Assert.False(result.DiscardedEntries);
        Assert.Equal(14, store.LastIndex);
        Assert.Equal(0, store.UnsyncedOperationCount);
    }

    [Fact]
    public void LogEndingExactlyAtTheSnapshot_KeepsTheStoreAndBootsWithNoEntries()
    {
        var (store, result) = ReconcileStoreHolding(Entries(3, 1, 10));

        Assert.Empty(result.Entries);
        Assert.False(result.ResetLog);
        Assert.Equal(10, store.LastIndex);
        Assert.Equal(0, store.UnsyncedOperationCount);
    }

    [Fact]
    public void LogStartingRightAfterTheSnapshot_IsKeptWhole()
    {
        var store = new InMemoryRaftLogStore();
        store.Reset(11);
        store.Append(Entries(4, 11, 13));
        store.Sync();

        var result = SnapshotLogReconciliation.ReconcileStore(store, SnapshotAt10Term3, store.Recover().Entries);

        Assert.Equal(Describe(Entries(4, 11, 13)), Describe(result.Entries));
        Assert.False(result.ResetLog);
    }

    [Fact]
    public void LogWithAnotherTermAtTheSnapshotIndex_IsDiscardedAndTheStoreReset()
    {
        // Another history: term 2 up to 14, so the entries after 10 do not continue the snapshot's 10@3.
        var (store, result) = ReconcileStoreHolding(Entries(2, 1, 14));

        Assert.Empty(result.Entries);
        Assert.True(result.ResetLog);
        Assert.True(result.DiscardedEntries);
        AssertStoreRestartsAfterSnapshot(store);
    }

    [Fact]
    public void LogEndingAtTheSnapshotIndexWithAnotherTerm_IsResetWithNothingToDiscard()
    {
        var (store, result) = ReconcileStoreHolding(Entries(2, 1, 10));

        Assert.Empty(result.Entries);
        Assert.True(result.ResetLog);
        Assert.False(result.DiscardedEntries);
        AssertStoreRestartsAfterSnapshot(store);
    }

    [Fact]
    public void LogEndingBeforeTheSnapshot_IsResetBehindIt()
    {
        var (store, result) = ReconcileStoreHolding(Entries(3, 1, 7));

        Assert.Empty(result.Entries);
        Assert.True(result.ResetLog);
        Assert.False(result.DiscardedEntries);
        AssertStoreRestartsAfterSnapshot(store);
    }

    [Fact]
    public void LogStartingAfterAGapBehindTheSnapshot_IsDiscarded()
    {
        var store = new InMemoryRaftLogStore();
        store.Reset(13);
        store.Append(Entries(4, 13, 15));
        store.Sync();

        var result = SnapshotLogReconciliation.ReconcileStore(store, SnapshotAt10Term3, store.Recover().Entries);

        Assert.Empty(result.Entries);
        Assert.True(result.ResetLog);
        Assert.True(result.DiscardedEntries);
        AssertStoreRestartsAfterSnapshot(store);
    }

    [Fact]
    public void EmptyLogBesideASnapshot_IsResetBehindIt()
    {
        var (store, result) = ReconcileStoreHolding();

        Assert.Empty(result.Entries);
        Assert.True(result.ResetLog);
        Assert.False(result.DiscardedEntries);
        AssertStoreRestartsAfterSnapshot(store);
    }
}
