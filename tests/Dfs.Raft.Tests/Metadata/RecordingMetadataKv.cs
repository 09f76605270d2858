using Dfs.Client.Metadata;
using Dfs.Raft.Metadata;

namespace Dfs.Raft.Tests.Metadata;

/// <summary>Passes everything to the real adapter, recording each transaction; can hold transactions back until several are pending (to stage races).</summary>
internal sealed class RecordingMetadataKv(IMetadataKv inner) : IMetadataKv
{
    private readonly Lock _gate = new();
    private TaskCompletionSource? _barrier;
    private int _barrierCount;

    public List<MetaTxn> Transactions { get; } = [];

    /// <summary>Holds the next <paramref name="count"/> transactions until all of them are pending, then lets them run in arrival order.</summary>
    public void HoldUntil(int count)
    {
        lock (_gate)
        {
            _barrier = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _barrierCount = count;
        }
    }

    public Task<T> ReadAsync<T>(Func<IKvView, T> read, CancellationToken cancellationToken) => inner.ReadAsync(read, cancellationToken);

    public async Task<MetaTxnResult> TxnAsync(MetaTxn txn, CancellationToken cancellationToken)
    {
        Task? wait = null;
        lock (_gate)
        {
            Transactions.Add(txn);
            if (_barrier is { } barrier)
            {
                wait = barrier.Task;
                if (--_barrierCount == 0)
                {
                    _barrier = null;
                    barrier.SetResult();
                }
            }
        }
        if (wait is not null)
        {
            await wait.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        }
        lock (_gate)
        {
            return inner.TxnAsync(txn, cancellationToken).GetAwaiter().GetResult();
        }
    }

    public Task<long> GrantLeaseAsync(long ttlMs, CancellationToken cancellationToken) => inner.GrantLeaseAsync(ttlMs, cancellationToken);

    public Task<bool> KeepAliveAsync(long leaseId, CancellationToken cancellationToken) => inner.KeepAliveAsync(leaseId, cancellationToken);

    public Task<bool> RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken) => inner.RevokeLeaseAsync(leaseId, cancellationToken);
}
