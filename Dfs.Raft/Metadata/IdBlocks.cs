using Dfs.Client.Metadata;

namespace Dfs.Raft.Metadata;

/// <summary>
/// Ids handed out from blocks reserved in one replicated counter key by compare-and-set, so the writes that need a fresh id
/// do not all compare that key: a master takes a whole block at a time, and one refill runs at a time (callers that run out
/// together wait for it instead of each reserving a block). What a deposed leader left of its block is never handed out.
/// </summary>
/// <param name="counterKey">The key holding the first id no block has taken yet.</param>
/// <param name="firstId">The first id of all, while the counter key is absent.</param>
/// <param name="what">What the ids are, for the error when the counter keeps changing.</param>
internal sealed class IdBlocks(IMetadataKv kv, byte[] counterKey, ulong firstId, int blockSize, string what)
{
    // A refill that keeps losing the counter to other masters gives up rather than spin.
    private const int MaxAttempts = 32;

    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _refill = new(1, 1);
    private ulong _next;
    private ulong _limit;

    /// <summary>The next id of the block in hand; false when it is used up, with <paramref name="exhaustedLimit"/> to give <see cref="RefillAsync"/>.</summary>
    public bool TryTake(out ulong id, out ulong exhaustedLimit)
    {
        lock (_gate)
        {
            if (_next < _limit)
            {
                (id, exhaustedLimit) = (_next++, 0);
                return true;
            }
            (id, exhaustedLimit) = (0, _limit);
            return false;
        }
    }

    /// <summary>The next id, reserving a fresh block first when the one in hand is used up.</summary>
    public async Task<ulong> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryTake(out var id, out var exhaustedLimit))
            {
                return id;
            }
            await RefillAsync(exhaustedLimit, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reserves the next block unless another caller already replaced the block that ended at <paramref name="exhaustedLimit"/>
    /// while this one waited its turn.
    /// </summary>
    public async Task RefillAsync(ulong exhaustedLimit, CancellationToken cancellationToken)
    {
        await _refill.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_gate)
            {
                if (_limit != exhaustedLimit && _next < _limit)
                {
                    return;
                }
            }
            for (var attempt = 0; attempt < MaxAttempts; attempt++)
            {
                var counter = await kv.ReadAsync(view => view.Get(counterKey), cancellationToken).ConfigureAwait(false);
                var first = counter is null ? firstId : new MetadataReader(counter.Value.Span).VarUInt();
                var limit = first + (ulong)blockSize;
                var writer = new MetadataWriter();
                writer.VarUInt(limit);
                var b = new TxnBuilder();
                b.Compare(MetaCompare.ModRevisionIs(counterKey, counter?.ModRevision ?? 0));
                b.Put(counterKey, writer.ToArray());
                if ((await kv.TxnAsync(b.Build(), cancellationToken).ConfigureAwait(false)).Succeeded)
                {
                    lock (_gate)
                    {
                        (_next, _limit) = (first, limit);
                    }
                    return;
                }
            }
            throw new MetadataException(MetadataErrorCode.Conflict, $"Could not reserve {what}: the counter kept changing.");
        }
        finally
        {
            _refill.Release();
        }
    }
}
