using Dfs.ChunkServer.Membership;
using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Client.ChunkServers;

namespace Dfs.ChunkServer.Tests.Membership;

public sealed class ReplicaJournalTests
{
    [Fact]
    public async Task Delta_CarriesWhatChangedSinceTheAcknowledgedChange_CollapsedToEachChunksLastState()
    {
        var store = new InMemoryChunkStore();
        var journal = new ReplicaJournal(store);
        await WriteAsync(store, 1);
        var (acked, full) = journal.Snapshot();
        Assert.Equal([1UL], full.Select(c => c.Id));

        await WriteAsync(store, 2);
        await WriteAsync(store, 3);
        journal.Refresh();
        store.Delete(new ChunkId(3));
        store.Delete(new ChunkId(1));
        journal.Refresh();

        Assert.True(journal.TryDelta(acked, 100, out var added, out var removed, out var upTo));
        Assert.Equal([2UL], added.Select(c => c.Id));
        Assert.Equal([1UL, 3UL], removed.Order());
        Assert.Equal(journal.Sequence, upTo);
        Assert.True(journal.TryDelta(upTo, 100, out added, out removed, out _));
        Assert.Empty(added);
        Assert.Empty(removed);
    }

    [Fact]
    public async Task Delta_IsBoundedPerHeartbeat_AndContinuesWhereTheLastOneStopped()
    {
        var store = new InMemoryChunkStore();
        var journal = new ReplicaJournal(store);
        for (ulong i = 1; i <= 5; i++)
        {
            await WriteAsync(store, i);
        }
        journal.Refresh();

        Assert.True(journal.TryDelta(0, 3, out var first, out _, out var upTo));
        Assert.True(journal.TryDelta(upTo, 3, out var second, out _, out _));

        Assert.Equal(3, first.Count);
        Assert.Equal(2, second.Count);
        Assert.Equal(new ulong[] { 1, 2, 3, 4, 5 }, first.Concat(second).Select(c => c.Id).Order());
    }

    [Fact]
    public async Task MasterFurtherBehindThanTheJournalKeeps_NeedsAFullReport()
    {
        var store = new InMemoryChunkStore();
        var journal = new ReplicaJournal(store, maxEntries: 2);
        for (ulong i = 1; i <= 4; i++)
        {
            await WriteAsync(store, i);
        }
        journal.Refresh();

        Assert.False(journal.TryDelta(0, 100, out _, out _, out _));
        Assert.True(journal.TryDelta(journal.Sequence - 2, 100, out var recent, out _, out _));
        Assert.Equal(2, recent.Count);
    }

    [Fact]
    public void CorruptReplicas_AreReportedOncePerAcknowledgement()
    {
        var journal = new ReplicaJournal(new InMemoryChunkStore());
        journal.Corrupt.Add(ReplicaJournal.Reported(new ChunkInfo(new ChunkId(7), 2, 10, 0)));

        var first = journal.Corrupt.Since(0, out var upTo);
        Assert.Equal([new ReportedChunk(7, 2, 10)], first);
        Assert.Empty(journal.Corrupt.Since(upTo, out _));
    }

    [Fact]
    public void FailedCopies_AreReportedOncePerAcknowledgement_ApartFromCorruptReplicas_AndOnlyTheNewestAreKept()
    {
        var journal = new ReplicaJournal(new InMemoryChunkStore());
        for (var id = 1UL; id <= SequencedReports.Capacity + 10; id++)
        {
            journal.FailedCopies.Add(new ReportedChunk(id, 3, 0));
        }

        var first = journal.FailedCopies.Since(0, out var upTo);

        Assert.Empty(journal.Corrupt.Since(0, out _));
        Assert.Equal(11UL, first[0].Id);
        Assert.Equal(Math.Min(SequencedReports.Capacity, HeartbeatProtocol.MaxChunksPerHeartbeat), first.Count);
        var rest = journal.FailedCopies.Since(upTo, out var restUpTo);
        Assert.Equal(SequencedReports.Capacity - first.Count, rest.Count);
        Assert.Empty(journal.FailedCopies.Since(restUpTo, out _));
    }

    private static async Task WriteAsync(InMemoryChunkStore store, ulong id)
    {
        await using var writer = store.BeginWrite(new ChunkId(id), 1);
        await writer.WriteAsync(new byte[10], CancellationToken.None);
        await writer.CommitAsync(CancellationToken.None);
    }
}
