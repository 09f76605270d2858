using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using Dfs.ChunkServer.Membership;
using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;

namespace Dfs.Bench;

/// <summary>
/// What a chunk server's heartbeat costs it to find what changed in its replicas, with <see cref="Replicas"/> replicas held
/// and 100 of them rewritten since the last heartbeat: the journal asking the store for its changes, beside the journal
/// comparing the store's whole listing with the last one (a store that keeps no change numbers; how every heartbeat ran before).
/// </summary>
[Config(typeof(Config))]
[InvocationCount(1, unrollFactor: 1)] // one heartbeat per invocation: the changes are made before each
public class ReplicaJournalBenchmarks
{
    private const int ChangesPerHeartbeat = 100;

    private InMemoryChunkStore _store = null!;
    private ReplicaJournal _fromChanges = null!;
    private ReplicaJournal _fromListings = null!;
    private ulong _next;

    [Params(100_000, 1_000_000)]
    public int Replicas { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _store = new InMemoryChunkStore();
        for (var id = 1UL; id <= (ulong)Replicas; id++)
        {
            Write(id);
        }
        _fromChanges = new ReplicaJournal(_store, maxEntries: 1024);
        _fromListings = new ReplicaJournal(new ListingOnlyStore(_store), maxEntries: 1024);
        _fromChanges.Refresh();
        _fromListings.Refresh();
    }

    [IterationSetup]
    public void Change()
    {
        for (var i = 0; i < ChangesPerHeartbeat; i++)
        {
            Write((_next++ % (ulong)Replicas) + 1);
        }
    }

    [Benchmark(Baseline = true, Description = "whole listing compared")]
    public long FromListing()
    {
        _fromListings.Refresh();
        return _fromListings.Sequence;
    }

    [Benchmark(Description = "store's changes")]
    public long FromChanges()
    {
        _fromChanges.Refresh();
        return _fromChanges.Sequence;
    }

    private void Write(ulong id)
    {
        var chunk = new ChunkId(id);
        // The in-memory store completes these at once.
        var writer = _store.BeginWrite(chunk, (_store.TryGet(chunk)?.Version ?? 0) + 1);
        try
        {
            writer.WriteAsync(new byte[1], CancellationToken.None).AsTask().GetAwaiter().GetResult();
            writer.CommitAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
        finally
        {
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private sealed class Config : BenchConfig
    {
        public Config() => AddColumn(StatisticColumn.Min, StatisticColumn.Median);
    }

    /// <summary>The same store without its change numbers.</summary>
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
