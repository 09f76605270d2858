namespace Dfs.Client.Metadata;

/// <summary>What a version commit expects to replace.</summary>
/// <param name="Number">-1: anything (or nothing); 0: the file must not exist; n &gt; 0: version n must be current.</param>
public readonly record struct ExpectedVersion(long Number)
{
    /// <summary>Replace whatever is current, or create.</summary>
    public static ExpectedVersion Any => new(-1);

    /// <summary>The file must not exist yet.</summary>
    public static ExpectedVersion None => new(0);

    /// <summary>Version <paramref name="number"/> must be current.</summary>
    public static ExpectedVersion Is(long number) =>
        number > 0 ? new(number) : throw new MetadataException(MetadataErrorCode.InvalidArgument, $"Expected version {number} is not positive.");
}
