using Dfs.Client.Kv;

namespace Dfs.Raft.Kv;

/// <summary>A lease held by the store: its time-to-live, when it expires (in log-entry time) and the keys attached.</summary>
internal sealed class KvLease(long id, long ttlMs, long expiresAtMs)
{
    public long Id { get; } = id;

    public long TtlMs { get; } = ttlMs;

    public long ExpiresAtMs { get; set; } = expiresAtMs;

    /// <summary>Keys attached (copies of the key bytes); iteration order is unspecified, so users sort when order shows.</summary>
    public HashSet<byte[]> Keys { get; } = new(ByteArrayContentComparer.Instance);

    /// <summary><see cref="Keys"/> looked up by span, so attaching and detaching need no key copy to search.</summary>
    public HashSet<byte[]>.AlternateLookup<ReadOnlySpan<byte>> KeysBySpan => Keys.GetAlternateLookup<ReadOnlySpan<byte>>();

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
internal sealed class ByteArrayContentComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static readonly ByteArrayContentComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj) => GetHashCode(obj.AsSpan());

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<byte> alternate)
    {
        var hash = new HashCode();
        hash.AddBytes(alternate);
        return hash.ToHashCode();
    }

    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
}
