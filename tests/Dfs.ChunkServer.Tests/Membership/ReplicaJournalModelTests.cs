using Dfs.ChunkServer.Membership;
using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Client.ChunkServers;
using Dfs.Testing;

namespace Dfs.ChunkServer.Tests.Membership;

/// <summary>
/// A master that takes a full report and then only the journal's deltas holds exactly what the store lists, whatever the
/// store did in between (commits, replacements by a newer version, deletes, quarantines) and however the refreshes fell;
/// for a store that numbers its changes, one that does not, and one whose change log was outrun.
/// </summary>
public sealed class ReplicaJournalModelTests : IDisposable
{
    private readonly TestDirectory _folder = TestDirectory.Create("journal-model");

    public void Dispose() => _folder.Dispose();

    public static TheoryData<string, int> Stores() => new()
    {
        { "file", 1 }, { "file", 2 }, { "memory", 3 }, { "memory", 4 }, { "memory", 5 }, { "listing only", 6 }, { "listing only", 7 },
    };

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task AMasterFollowingTheDeltas_HoldsWhatTheStoreLists(string kind, int seed)
    {
        using var file = kind == "file" ? new FileChunkStore(new FileChunkStoreOptions { RootPath = Path.Combine(_folder.Path, $"s{seed}") }) : null;
        var memory = kind == "file" ? null : new InMemoryChunkStore();
        IChunkStore store = file is not null ? file : kind == "memory" ? memory! : new ListingOnlyStore(memory!);
        var journal = new ReplicaJournal(store);
        var random = new Random(seed);
        var (acked, full) = journal.Snapshot();
        var master = full.ToDictionary(c => c.Id);

        for (var step = 0; step < 400; step++)
        {
            var id = new ChunkId((ulong)random.Next(1, 40));
            var held = store.TryGet(id);
            switch (random.Next(5))
            {
                case 0 or 1:
                    // A new replica, or a newer version replacing the one held.
                    await WriteAsync(store, id, (held?.Version ?? 0) + 1, random.Next(1, 300));
                    break;
                case 2:
                    store.Delete(id);
                    break;
                case 3 when held is not null:
                    Corrupt(file, memory, id, held.Version);
                    Assert.False(await store.VerifyAsync(id, CancellationToken.None));
                    break;
                default:
                    journal.Refresh();
                    break;
            }
            if (random.Next(10) == 0)
            {
                journal.Refresh();
                Assert.True(journal.TryDelta(acked, HeartbeatProtocol.MaxChunksPerHeartbeat, out var added, out var removed, out acked), $"seed {seed}, step {step}");
                foreach (var chunk in added)
                {
                    master[chunk.Id] = chunk;
                }
                foreach (var gone in removed)
                {
                    master.Remove(gone);
                }
                Assert.Equal(Describe(store.List().Select(ReplicaJournal.Reported)), Describe(master.Values));
            }
        }
    }

    [Fact]
    public async Task AStoreWhoseChangeLogWasOutrun_IsListedWhole_AndTheDeltasStillAddUp()
    {
        var store = new InMemoryChunkStore();
        var journal = new ReplicaJournal(store);
        var (acked, _) = journal.Snapshot();
        await WriteAsync(store, new ChunkId(1), 1, 10);
        journal.Refresh();

        // More changes than the store remembers between two refreshes: chunk 1 goes, and many come and go.
        store.Delete(new ChunkId(1));
        for (var i = 0; i < ReplicaChangeLog.DefaultCapacity + 10; i++)
        {
            var id = new ChunkId(100 + ((ulong)i % 3));
            if (i % 2 == 0)
            {
                await WriteAsync(store, id, (store.TryGet(id)?.Version ?? 0) + 1, 1);
            }
            else
            {
                store.Delete(id);
            }
        }
        Assert.Null(store.ChangesSince(1));
        journal.Refresh();

        Assert.True(journal.TryDelta(acked, 100, out var added, out var removed, out _));
        Assert.Equal(Describe(store.List().Select(ReplicaJournal.Reported)), Describe(added));
        // Chunk 1 came and went after the master's snapshot: its last state is gone.
        Assert.Contains(1UL, removed);
    }

    [Fact]
    public void TheChangeLog_AnswersEachChangedIdOnce_AndNothingPastWhatItKeeps()
    {
        var log = new ReplicaChangeLog(capacity: 3);
        log.Note(new ChunkId(1));
        log.Note(new ChunkId(2));
        log.Note(new ChunkId(1));

        Assert.Equal([1UL, 2UL], log.Since(0)!.Select(i => i.Value).Order());
        Assert.Equal([1UL], log.Since(2)!.Select(i => i.Value));
        Assert.Empty(log.Since(3)!);
        log.Note(new ChunkId(3));
        Assert.Null(log.Since(0));
        Assert.Null(log.Since(5));
        Assert.Equal([1UL, 2UL, 3UL], log.Since(1)!.Select(i => i.Value).Order());
    }

    private static string Describe(IEnumerable<ReportedChunk> chunks) =>
        string.Join(" ", chunks.OrderBy(c => c.Id).Select(c => $"{c.Id}v{c.Version}:{c.Length}"));

    private static void Corrupt(FileChunkStore? file, InMemoryChunkStore? memory, ChunkId id, long version)
    {
        if (memory is not null)
        {
            memory.CorruptStoredByte(id, 0);
            return;
        }
        var data = Path.Combine(file!.RootPath, "chunks", $"{id}.{version}.data");
        var bytes = File.ReadAllBytes(data);
        bytes[0] ^= 1;
        File.WriteAllBytes(data, bytes);
    }

    private static async Task WriteAsync(IChunkStore store, ChunkId id, long version, int length)
    {
        await using var writer = store.BeginWrite(id, version);
        await writer.WriteAsync(new byte[length], CancellationToken.None);
        await writer.CommitAsync(CancellationToken.None);
    }

    /// <summary>A store that keeps no change numbers: the journal compares whole listings.</summary>
    private sealed class ListingOnlyStore(InMemoryChunkStore inner) : IChunkStore
    {
        public IChunkWriter BeginWrite(ChunkId id, long version) => inner.BeginWrite(id, version);

        public IChunkWriter ResumeWrite(ChunkId id, long newVersion, long offset) => inner.ResumeWrite(id, newVersion, offset);

        public ChunkInfo? TryGet(ChunkId id) => inner.TryGet(id);

        public IReadOnlyList<ChunkInfo> List() => inner.List();

        public IChunkReader OpenRead(ChunkId id, long minimumVersion, long offset, long length) => inner.OpenRead(id, minimumVersion, offset, length);

        public ValueTask<bool> VerifyAsync(ChunkId id, CancellationToken cancellationToken) => inner.VerifyAsync(id, cancellationToken);

        public void Delete(ChunkId id) => inner.Delete(id);

        public StoreUsage GetUsage() => inner.GetUsage();
    }
}
