namespace Dfs.Testing.Linearizability;

/// <summary>An answer to a <see cref="FileInput"/>.</summary>
/// <param name="IsUnknown">The client never learned the outcome (timeout, lost connection, a server error).</param>
/// <param name="Value">For a read, the hash of the bytes read; null means absent.</param>
/// <param name="Found">For a delete or rename, whether the source existed (false: answered 404, nothing changed).</param>
public sealed record FileOutput(bool IsUnknown, string? Value, bool Found)
{
    /// <summary>The (missing) answer of an operation whose outcome is unknown.</summary>
    public static FileOutput Unknown { get; } = new(true, null, false);

    /// <summary>A completed write.</summary>
    public static FileOutput Written { get; } = new(false, null, true);

    /// <summary>A read that returned bytes hashing to <paramref name="value"/> (null: absent).</summary>
    public static FileOutput Read(string? value) => new(false, value, value is not null);

    /// <summary>A delete or rename that found (true) or did not find (false) its source.</summary>
    public static FileOutput Done(bool found) => new(false, null, found);

    /// <inheritdoc />
    public override string ToString() => IsUnknown ? "unknown" : Value ?? (Found ? "ok" : "absent");
}
