using Dfs.Client.Metadata;
using Dfs.Raft.Metadata;

namespace Dfs.Raft.Tests.Metadata;

/// <summary>Inode ids come from blocks a leader reserves in one shared counter key.</summary>
public sealed class MetadataIdBlockTests
{
    [Fact]
    public async Task PlansThatRunOutOfIdsTogether_ReserveOneBlock_NotOneEach()
    {
        var kv = new SlowTransactions(KvMetadataAdapter.InProcess(() => 1_000_000));
        var store = new MetadataStore(kv, new MetadataOptions { IdBlock = MetadataPath.MaxDepth });
        for (var i = 0; i < MetadataPath.MaxDepth; i++)
        {
            await store.MkdirAsync($"/d{i}");
        }
        Assert.Equal(1, kv.CounterWrites);

        // The first block is used up: eight creates find it empty at once, while a reservation takes a while to commit.
        kv.Slow = true;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => store.MkdirAsync($"/e{i}"))));

        Assert.Equal(2, kv.CounterWrites);
        Assert.Equal(MetadataPath.MaxDepth + 8, (await store.ListAsync("/")).Entries.Count);
    }

    [Fact]
    public void ABlockSmallerThanOnePlanMayNeed_IsRefused()
    {
        var refused = Assert.Throws<MetadataException>(() => new MetadataOptions { IdBlock = MetadataPath.MaxDepth - 1 }.Validate());
        Assert.Contains("IdBlock", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>Counts the transactions that write the id counter; once <see cref="Slow"/>, each transaction takes 50 ms to commit.</summary>
    private sealed class SlowTransactions(IMetadataKv inner) : IMetadataKv
    {
        private int _counterWrites;

        public bool Slow { get; set; }

        public int CounterWrites => Volatile.Read(ref _counterWrites);

        public Task<T> ReadAsync<T>(Func<IKvView, T> read, CancellationToken cancellationToken) => inner.ReadAsync(read, cancellationToken);

        public Task<T> ReadLocalAsync<T>(Func<IKvView, T> read, CancellationToken cancellationToken) => inner.ReadLocalAsync(read, cancellationToken);

        public async Task<MetaTxnResult> TxnAsync(MetaTxn txn, CancellationToken cancellationToken)
        {
            if (txn.Success.Any(op => op.Kind == MetaOpKind.Put && op.Key.Span.SequenceEqual(MetadataKeys.NextId)))
            {
                Interlocked.Increment(ref _counterWrites);
            }
            if (Slow)
            {
                await Task.Delay(50, cancellationToken);
            }
            return await inner.TxnAsync(txn, cancellationToken);
        }

        public Task<long> GrantLeaseAsync(long ttlMs, CancellationToken cancellationToken) => inner.GrantLeaseAsync(ttlMs, cancellationToken);

        public Task<bool> KeepAliveAsync(long leaseId, CancellationToken cancellationToken) => inner.KeepAliveAsync(leaseId, cancellationToken);

        public Task<bool> RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken) => inner.RevokeLeaseAsync(leaseId, cancellationToken);
    }
}
