using Dfs.Common.Keys;

namespace Dfs.Client.Kv;

/// <summary>One operation on the key space: a command of its own, or a step of a transaction.</summary>
/// <param name="Kind">What the operation does.</param>
/// <param name="Key">The key (Get, Put, Delete) or the inclusive start of the range (Range, DeleteRange; empty = from the first key).</param>
/// <param name="End">The exclusive end of the range (Range, DeleteRange; empty = no upper bound); empty otherwise.</param>
/// <param name="Value">The value to write (Put).</param>
/// <param name="LeaseId">The lease to attach the key to (Put; 0 = none).</param>
/// <param name="Limit">Most keys to return (Range; 0 = no limit).</param>
/// <param name="PreviousValue">Put: return the key's previous value and revisions.</param>
public sealed record KvOp(
    KvOpKind Kind,
    ReadOnlyMemory<byte> Key,
    ReadOnlyMemory<byte> End,
    ReadOnlyMemory<byte> Value,
    long LeaseId,
    int Limit,
    bool PreviousValue)
{
    /// <summary>Writes <paramref name="value"/> at <paramref name="key"/>, attached to <paramref name="leaseId"/> (0 = none).</summary>
    public static KvOp Put(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, long leaseId = 0, bool previousValue = false) =>
        Checked(new KvOp(KvOpKind.Put, key, default, value, leaseId, 0, previousValue));

    /// <summary>Reads one key.</summary>
    public static KvOp Get(ReadOnlyMemory<byte> key) => Checked(new KvOp(KvOpKind.Get, key, default, default, 0, 0, false));

    /// <summary>Reads the keys in [<paramref name="start"/>, <paramref name="end"/>) in order, at most <paramref name="limit"/> (0 = all).</summary>
    public static KvOp Range(ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> end, int limit = 0) =>
        Checked(new KvOp(KvOpKind.Range, start, end, default, 0, limit, false));

    /// <summary>Reads the keys starting with <paramref name="prefix"/> in order, at most <paramref name="limit"/> (0 = all).</summary>
    public static KvOp Prefix(ReadOnlyMemory<byte> prefix, int limit = 0) => Range(prefix, KeyRanges.PrefixEnd(prefix.Span), limit);

    /// <summary>Deletes one key.</summary>
    public static KvOp Delete(ReadOnlyMemory<byte> key) => Checked(new KvOp(KvOpKind.Delete, key, default, default, 0, 0, false));

    /// <summary>Deletes every key in [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public static KvOp DeleteRange(ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> end) =>
        Checked(new KvOp(KvOpKind.DeleteRange, start, end, default, 0, 0, false));

    /// <summary>Deletes every key starting with <paramref name="prefix"/>.</summary>
    public static KvOp DeletePrefix(ReadOnlyMemory<byte> prefix) => DeleteRange(prefix, KeyRanges.PrefixEnd(prefix.Span));

    /// <summary>True for operations that can change the key space.</summary>
    public bool IsWrite => Kind is KvOpKind.Put or KvOpKind.Delete or KvOpKind.DeleteRange;

    /// <summary>Throws <see cref="KvValidationException"/> if the operation breaks a limit or names no valid kind.</summary>
    public void Validate()
    {
        switch (Kind)
        {
            case KvOpKind.Get:
            case KvOpKind.Delete:
                KvLimits.ValidateKey(Key.Span);
                break;
            case KvOpKind.Put:
                KvLimits.ValidateKey(Key.Span);
                KvLimits.ValidateValue(Value.Span);
                if (LeaseId < 0)
                {
                    throw new KvValidationException($"Lease id {LeaseId} is negative; lease ids are positive (0 = no lease).");
                }
                break;
            case KvOpKind.Range:
            case KvOpKind.DeleteRange:
                KvLimits.ValidateBound(Key.Span, "range start");
                KvLimits.ValidateBound(End.Span, "range end");
                if (!End.IsEmpty && Key.Span.SequenceCompareTo(End.Span) >= 0)
                {
                    throw new KvValidationException("The range end must sort after the range start (or be empty for no upper bound).");
                }
                if (Limit < 0)
                {
                    throw new KvValidationException($"The range limit {Limit} is negative; use 0 for no limit.");
                }
                break;
            default:
                throw new KvValidationException($"Unknown operation kind {(int)Kind}.");
        }
    }

    private static KvOp Checked(KvOp op)
    {
        op.Validate();
        return op;
    }
}
