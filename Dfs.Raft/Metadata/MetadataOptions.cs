using Dfs.Client.Metadata;
namespace Dfs.Raft.Metadata;

/// <summary>Settings of the metadata schema.</summary>
public sealed record MetadataOptions
{
    /// <summary>Versions kept per file, the current one included (default 10, at least 1).</summary>
    public int KeepVersions { get; init; } = 10;

    /// <summary>Entries a recursive delete removes per transaction (default 128).</summary>
    public int DeleteBatch { get; init; } = 128;

    /// <summary>Most entries one listing page returns (default 10,000).</summary>
    public int MaxListLimit { get; init; } = 10_000;

    /// <summary>
    /// Inode ids a leader reserves from the replicated counter at a time (default 65,536; at least
    /// <see cref="MetadataPath.MaxDepth"/>, what one plan may need). Every reservation is a write to one key that all creates
    /// share, so a small block makes creates queue behind it; ids are 64-bit, and what a deposed leader leaves unused is lost.
    /// </summary>
    public int IdBlock { get; init; } = 65_536;

    /// <summary>Throws InvalidArgument when a setting is out of range.</summary>
    public void Validate()
    {
        if (KeepVersions is < 1 or > 1000 || DeleteBatch is < 1 or > 200 || MaxListLimit < 1 || IdBlock < MetadataPath.MaxDepth)
        {
            throw new MetadataException(MetadataErrorCode.InvalidArgument,
                $"Metadata options out of range: KeepVersions 1..1000 ({KeepVersions}), DeleteBatch 1..200 ({DeleteBatch}), MaxListLimit ≥ 1 ({MaxListLimit}), IdBlock ≥ {MetadataPath.MaxDepth} ({IdBlock}).");
        }
    }
}
