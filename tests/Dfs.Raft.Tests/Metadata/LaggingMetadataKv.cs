using Dfs.Raft.Metadata;

namespace Dfs.Raft.Tests.Metadata;

/// <summary>
/// A leader's two views of one store: <see cref="IMetadataKv.ReadAsync{T}"/> reads the committed state, and
/// <see cref="ReadLocalAsync{T}"/> reads a replica that applies the same log in order but may lag. Every change goes to the
/// committed state; the replica catches up with the whole log after each change made through it, as a leader has applied
/// its own entry (and everything before) when its proposal returns, unless <see cref="Frozen"/> (changes made through
/// another leader that this replica has not applied yet).
/// </summary>
internal sealed class LaggingMetadataKv(Func<long> clockMs) : IMetadataKv
{
    private readonly IMetadataKv _committed = KvMetadataAdapter.InProcess(clockMs);
    private readonly IMetadataKv _local = KvMetadataAdapter.InProcess(clockMs);
    private readonly List<Func<IMetadataKv, Task>> _log = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _applied;

    /// <summary>While true, changes reach the committed state only; the replica applies them with the next change made after.</summary>
    public bool Frozen { get; set; }

    public int LinearizableReads { get; private set; }

    public int LocalReads { get; private set; }

    public int Transactions { get; private set; }

    public int FailedTransactions { get; private set; }

    public void ResetCounts() => (LinearizableReads, LocalReads, Transactions, FailedTransactions) = (0, 0, 0, 0);

    public Task<T> ReadAsync<T>(Func<IKvView, T> read, CancellationToken cancellationToken)
    {
        LinearizableReads++;
        return _committed.ReadAsync(read, cancellationToken);
    }

    public Task<T> ReadLocalAsync<T>(Func<IKvView, T> read, CancellationToken cancellationToken)
    {
        LocalReads++;
        return _local.ReadAsync(read, cancellationToken);
    }

    public async Task<MetaTxnResult> TxnAsync(MetaTxn txn, CancellationToken cancellationToken)
    {
        var result = await ChangeAsync(kv => kv.TxnAsync(txn, cancellationToken));
        Transactions++;
        if (!result.Succeeded)
        {
            FailedTransactions++;
        }
        return result;
    }

    public Task<long> GrantLeaseAsync(long ttlMs, CancellationToken cancellationToken) => ChangeAsync(kv => kv.GrantLeaseAsync(ttlMs, cancellationToken));

    public Task<bool> KeepAliveAsync(long leaseId, CancellationToken cancellationToken) => ChangeAsync(kv => kv.KeepAliveAsync(leaseId, cancellationToken));

    public Task<bool> RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken) => ChangeAsync(kv => kv.RevokeLeaseAsync(leaseId, cancellationToken));

    private async Task<T> ChangeAsync<T>(Func<IMetadataKv, Task<T>> change)
    {
        await _gate.WaitAsync();
        try
        {
            var result = await change(_committed);
            _log.Add(kv => change(kv));
            if (!Frozen)
            {
                for (; _applied < _log.Count; _applied++)
                {
                    await _log[_applied](_local);
                }
            }
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }
}
