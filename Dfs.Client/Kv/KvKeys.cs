using Dfs.Common.Keys;

namespace Dfs.Client.Kv;

/// <summary>Helpers for key ranges in ordinal byte order.</summary>
public static class KvKeys
{
    /// <summary>The exclusive end of the keys starting with <paramref name="prefix"/> (empty = unbounded).</summary>
    public static byte[] PrefixEnd(ReadOnlySpan<byte> prefix) => KeyRanges.PrefixEnd(prefix);

    /// <summary>True when <paramref name="key"/> lies in [<paramref name="start"/>, <paramref name="end"/>); an empty end is unbounded.</summary>
    public static bool InRange(ReadOnlySpan<byte> key, ReadOnlySpan<byte> start, ReadOnlySpan<byte> end) =>
        key.SequenceCompareTo(start) >= 0 && (end.IsEmpty || key.SequenceCompareTo(end) < 0);
}
