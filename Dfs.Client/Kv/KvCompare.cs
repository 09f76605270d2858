namespace Dfs.Client.Kv;

/// <summary>What a transaction compare looks at.</summary>
public enum KvCompareTarget : byte
{
    /// <summary>The key's value (ordinal byte order); false for every operator when the key is absent.</summary>
    Value = 1,

    /// <summary>The key's mod revision (0 when absent).</summary>
    ModRevision = 2,

    /// <summary>The key's create revision (0 when absent).</summary>
    CreateRevision = 3,

    /// <summary>The key's version (0 when absent).</summary>
    Version = 4,

    /// <summary>Whether the key exists: compared as 1 (present) or 0 (absent) against the number.</summary>
    Exists = 5,
}

/// <summary>How a transaction compare relates the key's current state to the operand.</summary>
public enum KvCompareOperator : byte
{
    Equal = 1,
    NotEqual = 2,
    Less = 3,
    Greater = 4,
}

/// <summary>One condition of a transaction: the key's <see cref="Target"/> compared with the operand.</summary>
/// <param name="Key">The key looked at.</param>
/// <param name="Target">What is compared.</param>
/// <param name="Operator">How it is compared (current state on the left, operand on the right).</param>
/// <param name="Number">The operand for revision, version and existence targets.</param>
/// <param name="Value">The operand for the value target.</param>
public sealed record KvCompare(
    ReadOnlyMemory<byte> Key,
    KvCompareTarget Target,
    KvCompareOperator Operator,
    long Number,
    ReadOnlyMemory<byte> Value)
{
    /// <summary>The key's value compared with <paramref name="value"/>.</summary>
    public static KvCompare ValueIs(ReadOnlyMemory<byte> key, KvCompareOperator op, ReadOnlyMemory<byte> value) =>
        Checked(new KvCompare(key, KvCompareTarget.Value, op, 0, value));

    /// <summary>The key's mod revision compared with <paramref name="revision"/>.</summary>
    public static KvCompare ModRevisionIs(ReadOnlyMemory<byte> key, KvCompareOperator op, long revision) =>
        Checked(new KvCompare(key, KvCompareTarget.ModRevision, op, revision, default));

    /// <summary>The key's create revision compared with <paramref name="revision"/>.</summary>
    public static KvCompare CreateRevisionIs(ReadOnlyMemory<byte> key, KvCompareOperator op, long revision) =>
        Checked(new KvCompare(key, KvCompareTarget.CreateRevision, op, revision, default));

    /// <summary>The key's version compared with <paramref name="version"/>.</summary>
    public static KvCompare VersionIs(ReadOnlyMemory<byte> key, KvCompareOperator op, long version) =>
        Checked(new KvCompare(key, KvCompareTarget.Version, op, version, default));

    /// <summary>True when the key exists.</summary>
    public static KvCompare Exists(ReadOnlyMemory<byte> key) =>
        Checked(new KvCompare(key, KvCompareTarget.Exists, KvCompareOperator.Equal, 1, default));

    /// <summary>True when the key does not exist.</summary>
    public static KvCompare Missing(ReadOnlyMemory<byte> key) =>
        Checked(new KvCompare(key, KvCompareTarget.Exists, KvCompareOperator.Equal, 0, default));

    /// <summary>Throws <see cref="KvValidationException"/> if the compare breaks a limit or names no valid target or operator.</summary>
    public void Validate()
    {
        KvLimits.ValidateKey(Key.Span, "compare key");
        if (Target is < KvCompareTarget.Value or > KvCompareTarget.Exists)
        {
            throw new KvValidationException($"Unknown compare target {(int)Target}.");
        }
        if (Operator is < KvCompareOperator.Equal or > KvCompareOperator.Greater)
        {
            throw new KvValidationException($"Unknown compare operator {(int)Operator}.");
        }
        if (Target == KvCompareTarget.Value)
        {
            KvLimits.ValidateValue(Value.Span);
        }
    }

    private static KvCompare Checked(KvCompare compare)
    {
        compare.Validate();
        return compare;
    }
}
