namespace Dfs.Client.Kv;

/// <summary>Size limits of the key-value store, checked when a command is built and again when it is applied.</summary>
public static class KvLimits
{
    /// <summary>Largest key, in bytes (1 KiB).</summary>
    public const int MaxKeyBytes = 1024;

    /// <summary>Largest value, in bytes (1 MiB).</summary>
    public const int MaxValueBytes = 1024 * 1024;

    /// <summary>Largest encoded command (4 MiB): bounds what one log entry carries, whatever a transaction holds.</summary>
    public const int MaxCommandBytes = 4 * 1024 * 1024;

    /// <summary>Throws <see cref="KvValidationException"/> unless <paramref name="key"/> is a non-empty key of at most <see cref="MaxKeyBytes"/>.</summary>
    public static void ValidateKey(ReadOnlySpan<byte> key, string what = "key")
    {
        if (key.IsEmpty)
        {
            throw new KvValidationException($"The {what} is empty; keys must have at least one byte.");
        }
        ValidateBound(key, what);
    }

    /// <summary>Throws unless <paramref name="bound"/> (a range bound, which may be empty) is at most <see cref="MaxKeyBytes"/>.</summary>
    public static void ValidateBound(ReadOnlySpan<byte> bound, string what)
    {
        if (bound.Length > MaxKeyBytes)
        {
            throw new KvValidationException($"The {what} is {bound.Length} bytes; the limit is {MaxKeyBytes} bytes.");
        }
    }

    /// <summary>Throws unless <paramref name="value"/> is at most <see cref="MaxValueBytes"/>.</summary>
    public static void ValidateValue(ReadOnlySpan<byte> value)
    {
        if (value.Length > MaxValueBytes)
        {
            throw new KvValidationException($"The value is {value.Length} bytes; the limit is {MaxValueBytes} bytes.");
        }
    }
}
