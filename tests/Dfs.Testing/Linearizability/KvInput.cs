namespace Dfs.Testing.Linearizability;

/// <summary>A request to the key-value store, as the model sees it.</summary>
/// <param name="Kind">Which operation.</param>
/// <param name="Key">The key it touches.</param>
/// <param name="Value">The value written (Put, CompareAndSwap); null otherwise.</param>
/// <param name="Expected">For CompareAndSwap, the value the key must hold (null: the key must be absent).</param>
public sealed record KvInput(KvOperationKind Kind, string Key, string? Value = null, string? Expected = null)
{
    /// <summary>A read of <paramref name="key"/>.</summary>
    public static KvInput Get(string key) => new(KvOperationKind.Get, key);

    /// <summary>A write of <paramref name="value"/> to <paramref name="key"/>.</summary>
    public static KvInput Put(string key, string value) => new(KvOperationKind.Put, key, value);

    /// <summary>A removal of <paramref name="key"/>.</summary>
    public static KvInput Delete(string key) => new(KvOperationKind.Delete, key);

    /// <summary>A compare-and-swap of <paramref name="key"/> from <paramref name="expected"/> (null: absent) to <paramref name="value"/>.</summary>
    public static KvInput CompareAndSwap(string key, string? expected, string value) => new(KvOperationKind.CompareAndSwap, key, value, expected);

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        KvOperationKind.Get => $"get({Key})",
        KvOperationKind.Put => $"put({Key}, {Value})",
        KvOperationKind.Delete => $"delete({Key})",
        _ => $"cas({Key}, {Expected ?? "absent"} -> {Value})",
    };
}
