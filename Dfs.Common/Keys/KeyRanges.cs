namespace Dfs.Common.Keys;

/// <summary>Ranges over an ordered byte-string key space (etcd's convention: [start, end), an empty end is unbounded).</summary>
public static class KeyRanges
{
    /// <summary>
    /// The exclusive end of the range of all keys starting with <paramref name="prefix"/>: the prefix with trailing
    /// 0xFF bytes dropped and its last byte incremented. Empty (no upper bound) when the prefix is empty or all 0xFF.
    /// </summary>
    public static byte[] PrefixEnd(ReadOnlySpan<byte> prefix)
    {
        var last = prefix.Length - 1;
        while (last >= 0 && prefix[last] == 0xFF)
        {
            last--;
        }
        if (last < 0)
        {
            return [];
        }
        var end = prefix[..(last + 1)].ToArray();
        end[last]++;
        return end;
    }
}
