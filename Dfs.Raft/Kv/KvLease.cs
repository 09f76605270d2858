namespace Dfs.Raft.Kv;

/// <summary>A lease held by the store: its time-to-live, when it expires (in command time) and the keys attached.</summary>
internal sealed class KvLease(long id, long ttlMs, long expiresAtMs)
{
    public long Id { get; } = id;

    public long TtlMs { get; } = ttlMs;

    public long ExpiresAtMs { get; set; } = expiresAtMs;

    /// <summary>Keys attached (copies of the key bytes); iteration order is unspecified, so users sort when order shows.</summary>
    public HashSet<byte[]> Keys { get; } = new(ByteArrayContentComparer.Instance);

    public KvLeaseInfo ToInfo() => new(Id, TtlMs, ExpiresAtMs);

    /// <summary>The keys in ordinal byte order.</summary>
    public byte[][] SortedKeys()
    {
        var keys = Keys.ToArray();
        Array.Sort(keys, static (a, b) => a.AsSpan().SequenceCompareTo(b));
        return keys;
    }
}

/// <summary>Equality of byte arrays by content.</summary>
internal sealed class ByteArrayContentComparer : IEqualityComparer<byte[]>
{
    public static readonly ByteArrayContentComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj)
    {
        var hash = new HashCode();
        hash.AddBytes(obj);
        return hash.ToHashCode();
    }
}
