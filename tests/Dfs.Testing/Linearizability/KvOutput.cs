namespace Dfs.Testing.Linearizability;

/// <summary>An answer from the key-value store, as the model sees it.</summary>
/// <param name="IsUnknown">True for an operation whose answer never came (any outcome is possible).</param>
/// <param name="Value">For Get, the value read; null means the key was absent.</param>
/// <param name="Swapped">For CompareAndSwap, whether the swap happened.</param>
public sealed record KvOutput(bool IsUnknown, string? Value, bool Swapped)
{
    /// <summary>The answer to a Put or Delete that completed.</summary>
    public static KvOutput Done { get; } = new(false, null, false);

    /// <summary>The answer to a Get of an absent key.</summary>
    public static KvOutput Absent { get; } = new(false, null, false);

    /// <summary>The (missing) answer to an operation whose outcome the client never learned.</summary>
    public static KvOutput Unknown { get; } = new(true, null, false);

    /// <summary>The answer to a Get that read <paramref name="value"/> (null: absent).</summary>
    public static KvOutput Read(string? value) => new(false, value, false);

    /// <summary>The answer to a CompareAndSwap.</summary>
    public static KvOutput CasResult(bool swapped) => new(false, null, swapped);

    /// <inheritdoc />
    public override string ToString() => IsUnknown ? "unknown" : Value is not null ? Value : Swapped ? "swapped" : "ok/absent";
}
