using Dfs.Client.Kv;

namespace Dfs.Raft.Kv;

/// <summary>
/// The ordered key-value store the Raft group replicates, in the manner of etcd's (without history): byte-string
/// keys in ordinal order, a global revision that each change advances once, per-key create revision, mod revision
/// and version, multi-key transactions and leases. Time is only what the log entries that carry commands are stamped with.
/// </summary>
/// <remarks>
/// Single-threaded and deterministic: <see cref="KvStateMachine"/> serializes access. Every command is validated in
/// full before anything changes, so a rejected command leaves the store as it was.
/// </remarks>
internal sealed partial class KvStore
{
    private readonly KvIndex _index = new();
    private readonly List<byte[]> _scratch = [];

    /// <summary>The revision of the last change (0 before any).</summary>
    public long Revision { get; private set; }

    /// <summary>The store's clock: the highest entry time applied so far (it never goes backwards).</summary>
    public long NowMs { get; private set; }

    /// <summary>Keys held.</summary>
    public int Count => _index.Count;

    /// <summary>
    /// Applies <paramref name="command"/>, carried by a log entry stamped <paramref name="timestampMs"/>, and returns
    /// its result; never throws for a bad command.
    /// </summary>
    public KvResult Execute(KvCommand command, long timestampMs)
    {
        try
        {
            command.Validate();
        }
        catch (KvValidationException e)
        {
            return KvResult.Failure(KvStatus.InvalidArgument, e.Message, Revision);
        }
        AdvanceClock(timestampMs);
        return command switch
        {
            KvOpCommand c => ExecuteOps(null, [c.Op]),
            KvTxnCommand c => ExecuteTxn(c),
            KvLeaseGrantCommand c => GrantLease(c.LeaseId, c.TtlMs),
            KvLeaseRevokeCommand c => RevokeLease(c.LeaseId),
            KvLeaseKeepAliveCommand c => KeepAliveLease(c.LeaseId),
            KvClockCommand => new KvResult(KvStatus.Ok, null, Revision, true, [], null),
            _ => KvResult.Failure(KvStatus.InvalidArgument, $"Unknown command type {command.GetType().Name}.", Revision),
        };
    }

    /// <summary>The key-value at <paramref name="key"/>, or null; a view over the immutable record.</summary>
    public KvKeyValue? Get(ReadOnlySpan<byte> key)
    {
        KvLimits.ValidateKey(key);
        var record = _index.Get(key);
        return record is null ? null : KvRecord.ToKeyValue(record);
    }

    /// <summary>The keys in [<paramref name="start"/>, <paramref name="end"/>) (empty end = unbounded) in order, at most <paramref name="limit"/> (0 = all).</summary>
    public KvRangeResult Range(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, int limit)
    {
        var items = ReadRange(start, end, limit, out var more);
        return new KvRangeResult(items, more, Revision);
    }

    private KvKeyValue[] ReadRange(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, int limit, out bool more)
    {
        KvLimits.ValidateBound(start, "range start");
        KvLimits.ValidateBound(end, "range end");
        if (limit < 0)
        {
            throw new KvValidationException($"The range limit {limit} is negative; use 0 for no limit.");
        }
        var records = new List<byte[]>(limit is > 0 and < 1024 ? limit : 16);
        more = _index.CollectRange(start, end, limit, records);
        var items = new KvKeyValue[records.Count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = KvRecord.ToKeyValue(records[i]);
        }
        return items;
    }

    private KvResult ExecuteTxn(KvTxnCommand txn)
    {
        var succeeded = true;
        foreach (var compare in txn.Compares)
        {
            if (!Holds(compare))
            {
                succeeded = false;
                break;
            }
        }
        return ExecuteOps(succeeded, succeeded ? txn.Success : txn.Failure);
    }

    // Runs ops in order at one new revision; the revision advances once if any of them changed a key.
    private KvResult ExecuteOps(bool? txnSucceeded, IReadOnlyList<KvOp> ops)
    {
        // Every check that can refuse an op is made before the first change, so the ops run all or none.
        foreach (var op in ops)
        {
            if (op.Kind == KvOpKind.Put && op.LeaseId != 0 && !_leases.ContainsKey(op.LeaseId))
            {
                return KvResult.Failure(
                    KvStatus.LeaseNotFound, $"Lease {op.LeaseId} does not exist (never granted, revoked or expired).", Revision);
            }
        }
        var newRevision = Revision + 1;
        var changed = false;
        var responses = new KvOpResult[ops.Count];
        for (var i = 0; i < ops.Count; i++)
        {
            responses[i] = ExecuteOp(ops[i], newRevision, ref changed);
        }
        if (changed)
        {
            Revision = newRevision;
        }
        return new KvResult(KvStatus.Ok, null, Revision, txnSucceeded ?? true, responses, null);
    }

    private KvOpResult ExecuteOp(KvOp op, long newRevision, ref bool changed)
    {
        switch (op.Kind)
        {
            case KvOpKind.Get:
                var record = _index.Get(op.Key.Span);
                return new KvOpResult(op.Kind, record is null ? [] : [KvRecord.ToKeyValue(record)], false, 0);
            case KvOpKind.Range:
                var items = ReadRange(op.Key.Span, op.End.Span, op.Limit, out var more);
                return new KvOpResult(op.Kind, items, more, 0);
            case KvOpKind.Put:
                var previous = PutRecord(op.Key.Span, op.Value.Span, op.LeaseId, newRevision);
                changed = true;
                return new KvOpResult(op.Kind, op.PreviousValue && previous is not null ? [KvRecord.ToKeyValue(previous)] : [], false, 0);
            case KvOpKind.Delete:
                var removed = _index.Remove(op.Key.Span);
                if (removed is not null)
                {
                    DetachFromLease(removed);
                    changed = true;
                }
                return new KvOpResult(op.Kind, [], false, removed is null ? 0 : 1);
            case KvOpKind.DeleteRange:
                _scratch.Clear();
                _index.RemoveRange(op.Key.Span, op.End.Span, _scratch);
                foreach (var gone in _scratch)
                {
                    DetachFromLease(gone);
                }
                var deleted = _scratch.Count;
                _scratch.Clear();
                changed |= deleted > 0;
                return new KvOpResult(op.Kind, [], false, deleted);
            default:
                throw new InvalidOperationException($"Unknown operation kind {(int)op.Kind} passed validation.");
        }
    }

    // Writes a key at newRevision; returns the record it replaced, if any.
    private byte[]? PutRecord(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long leaseId, long newRevision)
    {
        var position = _index.Locate(key);
        var previous = position.Found ? _index.At(position) : null;
        var createRevision = previous is null ? newRevision : KvRecord.CreateRevision(previous);
        var version = previous is null ? 1 : KvRecord.Version(previous) + 1;
        var record = KvRecord.Create(key, value, createRevision, newRevision, version, leaseId);
        if (position.Found)
        {
            _index.Replace(position, record);
        }
        else
        {
            _index.Insert(position, record);
        }
        var previousLease = previous is null ? 0 : KvRecord.LeaseId(previous);
        if (previousLease != leaseId)
        {
            if (previousLease != 0)
            {
                _leases[previousLease].KeysBySpan.Remove(key);
            }
            if (leaseId != 0)
            {
                _leases[leaseId].KeysBySpan.Add(key);
            }
        }
        return previous;
    }

    private bool Holds(KvCompare compare)
    {
        var record = _index.Get(compare.Key.Span);
        if (compare.Target == KvCompareTarget.Value)
        {
            // An absent key has no value: no value compare holds for it.
            return record is not null && Test(KvRecord.Value(record).SequenceCompareTo(compare.Value.Span), compare.Operator);
        }
        var actual = compare.Target switch
        {
            KvCompareTarget.ModRevision => record is null ? 0 : KvRecord.ModRevision(record),
            KvCompareTarget.CreateRevision => record is null ? 0 : KvRecord.CreateRevision(record),
            KvCompareTarget.Version => record is null ? 0 : KvRecord.Version(record),
            _ => record is null ? 0 : 1,
        };
        return Test(actual.CompareTo(compare.Number), compare.Operator);
    }

    private static bool Test(int comparison, KvCompareOperator op) => op switch
    {
        KvCompareOperator.Equal => comparison == 0,
        KvCompareOperator.NotEqual => comparison != 0,
        KvCompareOperator.Less => comparison < 0,
        _ => comparison > 0,
    };
}
