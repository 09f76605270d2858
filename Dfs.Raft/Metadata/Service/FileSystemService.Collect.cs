using Dfs.Client.Chunks;
using static Dfs.Common.Keys.KeyRanges;

namespace Dfs.Raft.Metadata.Service;

public sealed partial class FileSystemService
{
    // Records looked at per pass, of each kind.
    private const int CollectBatch = 256;

    private readonly Lock _collectGate = new();

    // When this leader first saw each garbage record (so chunks outlive a reader's lookup by the grace), and which records'
    // chunks it has asked the directory to delete. Soft state: a new leader starts again, later rather than sooner.
    private readonly Dictionary<string, long> _firstSeen = [];
    private readonly HashSet<string> _deleteAsked = [];
    private byte[] _outcomeCursor = ServiceKeys.OutcomePrefix;

    /// <summary>
    /// One garbage-collection pass of the leader: chunks no kept version references (the schema's garbage records) after the
    /// garbage grace, and chunks allocated longer than the orphan grace ago and never committed, are deleted through the
    /// directory; a record goes only once no chunk server holds any of its chunks, so a failover in between never leaks one.
    /// Also drops recorded outcomes older than their time-to-live.
    /// </summary>
    /// <returns>The records removed in this pass.</returns>
    public async Task<int> CollectOnceAsync(CancellationToken cancellationToken)
    {
        _leadership.ThrowIfNotLeader();
        var removed = 0;
        foreach (var record in await Store.PendingGarbageAsync(CollectBatch, cancellationToken).ConfigureAwait(false))
        {
            var name = $"garbage {record.InodeId}/{record.Version}";
            if (await ReclaimAsync(name, record.ChunkIds, _options.GarbageGrace, cancellationToken).ConfigureAwait(false))
            {
                await Store.CollectedAsync(record, cancellationToken).ConfigureAwait(false);
                Forget(name);
                removed++;
            }
        }
        removed += await CollectOrphansAsync(cancellationToken).ConfigureAwait(false);
        await ExpireOutcomesAsync(cancellationToken).ConfigureAwait(false);
        return removed;
    }

    /// <summary>Forgets what this master knew of collection in progress (it stopped leading).</summary>
    public void ResetCollection()
    {
        lock (_collectGate)
        {
            _firstSeen.Clear();
            _deleteAsked.Clear();
        }
    }

    /// <summary>True once the chunks may be forgotten: the grace has passed, deletion was asked, and no server holds any of them.</summary>
    private Task<bool> ReclaimAsync(string name, IReadOnlyList<ulong> chunkIds, TimeSpan grace, CancellationToken cancellationToken)
    {
        var now = NowMs;
        bool ask;
        lock (_collectGate)
        {
            var first = _firstSeen.TryGetValue(name, out var seen) ? seen : _firstSeen[name] = now;
            if (now - first < (long)grace.TotalMilliseconds)
            {
                return Task.FromResult(false);
            }
            ask = _deleteAsked.Add(name);
        }
        if (ask)
        {
            _directory.Delete(chunkIds);
            Log.GarbageDeleting(_logger, chunkIds.Count, name);
            // The servers learn of the deletion in their next heartbeat replies; the record stays until they report it done.
            return Task.FromResult(false);
        }
        if (!_directory.NoneHeld(chunkIds))
        {
            return Task.FromResult(false);
        }
        Log.GarbageCollected(_logger, chunkIds.Count, name);
        return Task.FromResult(true);
    }

    private void Forget(string name)
    {
        lock (_collectGate)
        {
            _firstSeen.Remove(name);
            _deleteAsked.Remove(name);
        }
    }

    /// <summary>
    /// Allocation records older than the orphan grace are first marked collecting (a commit refuses such a chunk, and a commit
    /// that read the record before the mark fails its compare), then deleted like garbage; the record goes once no server holds the chunk.
    /// </summary>
    private async Task<int> CollectOrphansAsync(CancellationToken cancellationToken)
    {
        var cutoff = NowMs - (long)_options.OrphanChunkGrace.TotalMilliseconds;
        var prefix = ServiceKeys.AllocationPrefix;
        var records = await _kv.ReadAsync(view => view.Range(prefix, PrefixEnd(prefix), CollectBatch).Items, cancellationToken).ConfigureAwait(false);
        var removed = 0;
        foreach (var record in records)
        {
            var allocation = AllocationRecord.Decode(record.Value.Span);
            if (!allocation.Collecting && allocation.CreatedMs > cutoff)
            {
                continue;
            }
            var chunkId = ServiceKeys.ChunkOf(record.Key.Span);
            var current = record;
            if (!allocation.Collecting)
            {
                var claim = new TxnBuilder();
                claim.Unchanged(record);
                claim.Put(record.Key, (allocation with { Collecting = true }).Encode());
                var result = await _kv.TxnAsync(claim.Build(), cancellationToken).ConfigureAwait(false);
                if (!result.Succeeded)
                {
                    // Committed or bumped meanwhile: a writer is alive.
                    continue;
                }
                Log.OrphanClaimed(_logger, new ChunkId(chunkId).ToString(), allocation.CreatedMs);
                current = record with { ModRevision = result.Revision };
            }
            // Orphans were never readable, so they need no reader's grace.
            if (await ReclaimAsync($"orphan {chunkId:x16}", [chunkId], TimeSpan.Zero, cancellationToken).ConfigureAwait(false))
            {
                var remove = new TxnBuilder();
                remove.Compare(MetaCompare.ModRevisionIs(record.Key, current.ModRevision));
                remove.Delete(record.Key);
                if ((await _kv.TxnAsync(remove.Build(), cancellationToken).ConfigureAwait(false)).Succeeded)
                {
                    removed++;
                }
                Forget($"orphan {chunkId:x16}");
            }
        }
        return removed;
    }

    /// <summary>Drops recorded outcomes older than their time-to-live, a batch per pass, walking the records with a cursor.</summary>
    private async Task ExpireOutcomesAsync(CancellationToken cancellationToken)
    {
        var cutoff = NowMs - (long)_options.OutcomeTtl.TotalMilliseconds;
        var start = _outcomeCursor;
        var page = await _kv.ReadAsync(view => view.Range(start, PrefixEnd(ServiceKeys.OutcomePrefix), CollectBatch), cancellationToken).ConfigureAwait(false);
        _outcomeCursor = page.More ? [.. page.Items[^1].Key.Span, 0] : ServiceKeys.OutcomePrefix;
        var b = new TxnBuilder();
        foreach (var record in page.Items)
        {
            if (OutcomeHook.RecordedMs(record.Value.Span) < cutoff)
            {
                // Written once (compared missing), so deleting by key cannot remove a newer answer.
                b.Delete(record.Key);
            }
        }
        if (b.OpCount > 0)
        {
            await _kv.TxnAsync(b.Build(), cancellationToken).ConfigureAwait(false);
            Log.OutcomesExpired(_logger, b.OpCount);
        }
    }
}
