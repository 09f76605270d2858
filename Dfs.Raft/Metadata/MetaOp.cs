using Dfs.Client.Metadata;
using Dfs.Common.Keys;

namespace Dfs.Raft.Metadata;

/// <summary>What one transaction operation does.</summary>
public enum MetaOpKind : byte
{
    /// <summary>Read one key.</summary>
    Get = 1,

    /// <summary>Read the keys in [key, end).</summary>
    Range = 2,

    /// <summary>Write one key.</summary>
    Put = 3,

    /// <summary>Delete one key.</summary>
    Delete = 4,

    /// <summary>Delete every key in [key, end).</summary>
    DeleteRange = 5,
}

/// <summary>One operation of a transaction branch.</summary>
/// <param name="Kind">What it does.</param>
/// <param name="Key">The key, or the inclusive range start.</param>
/// <param name="End">The exclusive range end (empty = unbounded) for ranges; empty otherwise.</param>
/// <param name="Value">The value written by a put.</param>
/// <param name="LeaseId">The lease a put attaches the key to (0 = none).</param>
/// <param name="Limit">Most keys a range returns (0 = all).</param>
public sealed record MetaOp(MetaOpKind Kind, ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> End, ReadOnlyMemory<byte> Value, long LeaseId, int Limit)
{
    /// <summary>Writes <paramref name="value"/> at <paramref name="key"/>, attached to <paramref name="leaseId"/> (0 = none).</summary>
    public static MetaOp Put(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, long leaseId = 0) => new(MetaOpKind.Put, key, default, value, leaseId, 0);

    /// <summary>Reads one key.</summary>
    public static MetaOp Get(ReadOnlyMemory<byte> key) => new(MetaOpKind.Get, key, default, default, 0, 0);

    /// <summary>Reads the keys in [<paramref name="start"/>, <paramref name="end"/>), at most <paramref name="limit"/> (0 = all).</summary>
    public static MetaOp Range(ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> end, int limit = 0) => new(MetaOpKind.Range, start, end, default, 0, limit);

    /// <summary>Deletes one key.</summary>
    public static MetaOp Delete(ReadOnlyMemory<byte> key) => new(MetaOpKind.Delete, key, default, default, 0, 0);

    /// <summary>Deletes every key in [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public static MetaOp DeleteRange(ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> end) => new(MetaOpKind.DeleteRange, start, end, default, 0, 0);

    /// <summary>Deletes every key starting with <paramref name="prefix"/>.</summary>
    public static MetaOp DeletePrefix(ReadOnlyMemory<byte> prefix) => DeleteRange(prefix, KeyRanges.PrefixEnd(prefix.Span));
}
