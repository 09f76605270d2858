using Dfs.Client.Metadata;
namespace Dfs.Raft.Metadata;

/// <summary>What a transaction compare looks at.</summary>
public enum MetaCompareTarget : byte
{
    /// <summary>The key's value (byte order); false for every operator when the key is absent.</summary>
    Value = 1,

    /// <summary>The key's mod revision (0 when absent).</summary>
    ModRevision = 2,

    /// <summary>The key's create revision (0 when absent).</summary>
    CreateRevision = 3,

    /// <summary>The key's version (0 when absent).</summary>
    Version = 4,

    /// <summary>1 when the key exists, else 0.</summary>
    Exists = 5,
}

/// <summary>One condition of a transaction; every compare the schema builds tests equality.</summary>
/// <param name="Key">The key looked at.</param>
/// <param name="Target">What is compared.</param>
/// <param name="Number">The operand for revision, version and existence targets.</param>
/// <param name="Value">The operand for the value target.</param>
public sealed record MetaCompare(ReadOnlyMemory<byte> Key, MetaCompareTarget Target, long Number, ReadOnlyMemory<byte> Value)
{
    /// <summary>The key's mod revision equals <paramref name="revision"/> (0 = the key is absent).</summary>
    public static MetaCompare ModRevisionIs(ReadOnlyMemory<byte> key, long revision) => new(key, MetaCompareTarget.ModRevision, revision, default);

    /// <summary>The key's create revision equals <paramref name="revision"/>: the same incarnation still exists.</summary>
    public static MetaCompare CreateRevisionIs(ReadOnlyMemory<byte> key, long revision) => new(key, MetaCompareTarget.CreateRevision, revision, default);

    /// <summary>The key's value equals <paramref name="value"/>.</summary>
    public static MetaCompare ValueIs(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value) => new(key, MetaCompareTarget.Value, 0, value);

    /// <summary>The key's version equals <paramref name="version"/>.</summary>
    public static MetaCompare VersionIs(ReadOnlyMemory<byte> key, long version) => new(key, MetaCompareTarget.Version, version, default);

    /// <summary>The key exists.</summary>
    public static MetaCompare Exists(ReadOnlyMemory<byte> key) => new(key, MetaCompareTarget.Exists, 1, default);

    /// <summary>The key does not exist.</summary>
    public static MetaCompare Missing(ReadOnlyMemory<byte> key) => new(key, MetaCompareTarget.Exists, 0, default);
}
