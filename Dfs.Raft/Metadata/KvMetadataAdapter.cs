using System.Security.Cryptography;
using Dfs.Client.Kv;
using Dfs.Client.Metadata;
using Dfs.Raft.Kv;
using Dfs.Raft.Master;

namespace Dfs.Raft.Metadata;

/// <summary>
/// <see cref="IMetadataKv"/> over the master's replicated store: the one place the metadata schema meets the key-value
/// store's own command, compare and result types.
/// </summary>
/// <remarks>
/// Two sources: a master (<see cref="ForMaster"/>: writes go through the Raft log, reads are one ReadIndex round then
/// local reads, and <see cref="ReadLocalAsync{T}"/> reads the replica's applied state at once) and an in-process
/// <see cref="KvStateMachine"/> (<see cref="InProcess"/>: each write is applied as the next log entry, stamped with a caller-supplied clock, so tests run the schema against the real store and drive lease
/// expiry by log time). A read view is consistent: reads run while the store's revision holds still, and a read that
/// saw the revision move runs again.
/// </remarks>
public sealed class KvMetadataAdapter : IMetadataKv
{
    // A read that keeps seeing the store change under it gives up after this many tries, rather than spin forever.
    private const int MaxReadAttempts = 64;

    // A local read racing the apply loop tries this many times before it takes a linearizable read instead.
    private const int LocalReadAttempts = 8;

    private readonly Func<KvCommand, CancellationToken, Task<KvResult>> _execute;
    private readonly Func<Func<KvStateMachine, object?>, CancellationToken, Task<object?>> _read;
    private readonly Func<Func<KvStateMachine, object?>, CancellationToken, Task<object?>> _readLocal;
    private readonly Func<long> _nextLeaseId;

    private KvMetadataAdapter(
        Func<KvCommand, CancellationToken, Task<KvResult>> execute,
        Func<Func<KvStateMachine, object?>, CancellationToken, Task<object?>> read,
        Func<Func<KvStateMachine, object?>, CancellationToken, Task<object?>> readLocal,
        Func<long> nextLeaseId)
    {
        _execute = execute;
        _read = read;
        _readLocal = readLocal;
        _nextLeaseId = nextLeaseId;
    }

    /// <summary>The adapter over a master: writes are proposed through Raft, reads are linearizable.</summary>
    public static KvMetadataAdapter ForMaster(IMasterKv master)
    {
        ArgumentNullException.ThrowIfNull(master);
        return new KvMetadataAdapter(
            (command, ct) => master.ExecuteAsync(command, null, ct),
            (read, ct) => master.ReadAsync(read, linearizable: true, ct),
            // The replica's applied state, read on the caller's thread: no ReadIndex round and nothing queued on the Raft loop.
            (read, ct) => master.ReadAsync(read, linearizable: false, ct),
            // Lease ids are chosen by the proposer; random 63-bit ids do not collide in practice, and a collision is refused (LeaseExists) and retried.
            () => RandomNumberGenerator.GetInt32(1, int.MaxValue) * (long)int.MaxValue + RandomNumberGenerator.GetInt32(0, int.MaxValue));
    }

    /// <summary>
    /// The adapter over a fresh in-process store: each write is applied as the next log entry stamped
    /// <paramref name="clockMs"/>(), so advancing that clock and writing expires leases as a cluster would.
    /// </summary>
    public static KvMetadataAdapter InProcess(Func<long> clockMs)
    {
        ArgumentNullException.ThrowIfNull(clockMs);
        var machine = new KvStateMachine();
        var gate = new Lock();
        long index = 0;
        long leaseIds = 0;
        return new KvMetadataAdapter(
            (command, _) =>
            {
                // The Raft host applies one entry at a time; the gate does the same for concurrent callers.
                lock (gate)
                {
                    return Task.FromResult(machine.ApplyCommand(++index, clockMs(), KvCommandCodec.Encode(command)));
                }
            },
            (read, _) => Task.FromResult(read(machine)),
            (read, _) => Task.FromResult(read(machine)),
            () => Interlocked.Increment(ref leaseIds));
    }

    /// <inheritdoc />
    public async Task<T> ReadAsync<T>(Func<IKvView, T> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        var result = await _read(machine => ReadConsistently(machine, read), cancellationToken).ConfigureAwait(false);
        return (T)result!;
    }

    /// <inheritdoc />
    public async Task<T> ReadLocalAsync<T>(Func<IKvView, T> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        var result = await _readLocal(machine => TryReadConsistently(machine, read, LocalReadAttempts), cancellationToken).ConfigureAwait(false);
        // Local reads run beside the apply loop; one that keeps seeing the store move under it takes the loop's own view instead.
        return result is Torn ? await ReadAsync(read, cancellationToken).ConfigureAwait(false) : (T)result!;
    }

    /// <inheritdoc />
    public async Task<MetaTxnResult> TxnAsync(MetaTxn txn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(txn);
        var command = KvCommand.Txn(
            [.. txn.Compares.Select(ToKv)],
            [.. txn.Success.Select(ToKv)],
            [.. txn.Failure.Select(ToKv)]);
        var result = await _execute(command, cancellationToken).ConfigureAwait(false);
        if (result.Status == KvStatus.LeaseNotFound)
        {
            throw new MetadataException(MetadataErrorCode.LeaseNotFound, result.Error ?? "The lease does not exist.");
        }
        if (!result.IsOk)
        {
            throw new InvalidOperationException($"The store refused a metadata transaction ({result.Status}): {result.Error}");
        }
        return new MetaTxnResult(
            result.Succeeded,
            result.Revision,
            [.. result.Responses.Select(r => new MetaOpResult([.. r.Items.Select(ToMeta)], r.More, r.Deleted))]);
    }

    /// <inheritdoc />
    public async Task<long> GrantLeaseAsync(long ttlMs, CancellationToken cancellationToken)
    {
        if (ttlMs is <= 0 or > KvLeaseGrantCommand.MaxTtlMs)
        {
            throw new MetadataException(MetadataErrorCode.InvalidArgument, $"A lease time-to-live must lie in 1..{KvLeaseGrantCommand.MaxTtlMs} ms; {ttlMs} does not.");
        }
        while (true)
        {
            var id = _nextLeaseId();
            var result = await _execute(KvCommand.GrantLease(id, ttlMs), cancellationToken).ConfigureAwait(false);
            if (result.IsOk)
            {
                return id;
            }
            if (result.Status != KvStatus.LeaseExists)
            {
                throw new InvalidOperationException($"The store refused a lease grant ({result.Status}): {result.Error}");
            }
        }
    }

    /// <inheritdoc />
    public async Task<bool> KeepAliveAsync(long leaseId, CancellationToken cancellationToken) =>
        leaseId > 0 && (await _execute(KvCommand.KeepAliveLease(leaseId), cancellationToken).ConfigureAwait(false)).IsOk;

    /// <inheritdoc />
    public async Task<bool> RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken) =>
        leaseId > 0 && (await _execute(KvCommand.RevokeLease(leaseId), cancellationToken).ConfigureAwait(false)).IsOk;

    private static object? ReadConsistently<T>(KvStateMachine machine, Func<IKvView, T> read)
    {
        var result = TryReadConsistently(machine, read, MaxReadAttempts - 1);
        // The last try stands whether or not the store moved under it, and its failure is the caller's.
        return result is Torn ? read(new View(machine, machine.Revision)) : result;
    }

    /// <summary>
    /// Runs <paramref name="read"/> until it sees one state throughout: every change to the key space advances the revision,
    /// so equal revisions before and after mean every read in between saw one state. <see cref="Torn"/> when the store moved
    /// under each of <paramref name="attempts"/> tries; a failure on a moved view is taken for a torn one.
    /// </summary>
    private static object? TryReadConsistently<T>(KvStateMachine machine, Func<IKvView, T> read, int attempts)
    {
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            var before = machine.Revision;
            var view = new View(machine, before);
            try
            {
                var result = read(view);
                if (machine.Revision == before)
                {
                    return result;
                }
            }
            catch (Exception) when (machine.Revision != before)
            {
                // A torn view; the next attempt decides on a consistent one.
            }
        }
        return Torn.Instance;
    }

    private sealed class Torn
    {
        public static readonly Torn Instance = new();
    }

    private static KvCompare ToKv(MetaCompare c) => c.Target switch
    {
        MetaCompareTarget.Value => KvCompare.ValueIs(c.Key, KvCompareOperator.Equal, c.Value),
        MetaCompareTarget.ModRevision => KvCompare.ModRevisionIs(c.Key, KvCompareOperator.Equal, c.Number),
        MetaCompareTarget.CreateRevision => KvCompare.CreateRevisionIs(c.Key, KvCompareOperator.Equal, c.Number),
        MetaCompareTarget.Version => KvCompare.VersionIs(c.Key, KvCompareOperator.Equal, c.Number),
        MetaCompareTarget.Exists => c.Number != 0 ? KvCompare.Exists(c.Key) : KvCompare.Missing(c.Key),
        _ => throw new ArgumentOutOfRangeException(nameof(c), c.Target, "Unknown compare target."),
    };

    private static KvOp ToKv(MetaOp o) => o.Kind switch
    {
        MetaOpKind.Get => KvOp.Get(o.Key),
        MetaOpKind.Range => KvOp.Range(o.Key, o.End, o.Limit),
        MetaOpKind.Put => KvOp.Put(o.Key, o.Value, o.LeaseId),
        MetaOpKind.Delete => KvOp.Delete(o.Key),
        MetaOpKind.DeleteRange => KvOp.DeleteRange(o.Key, o.End),
        _ => throw new ArgumentOutOfRangeException(nameof(o), o.Kind, "Unknown operation kind."),
    };

    private static MetaKeyValue ToMeta(KvKeyValue kv) => new(kv.Key, kv.Value, kv.CreateRevision, kv.ModRevision, kv.Version, kv.LeaseId);

    private sealed class View(KvStateMachine machine, long revision) : IKvView
    {
        public long Revision => revision;

        public MetaKeyValue? Get(ReadOnlySpan<byte> key) => machine.Get(key) is { } kv ? ToMeta(kv) : null;

        public MetaRangePage Range(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, int limit)
        {
            var page = machine.Range(start, end, limit);
            return new MetaRangePage([.. page.Items.Select(ToMeta)], page.More);
        }
    }
}
