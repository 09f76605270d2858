namespace Dfs.Client.Metadata;

/// <summary>What a version commit did.</summary>
/// <param name="Version">The new current version number.</param>
/// <param name="DroppedVersions">Versions no longer kept.</param>
/// <param name="DroppedChunkIds">Chunks no kept version of the file references any more, for garbage collection.</param>
public sealed record CommitResult(long Version, IReadOnlyList<long> DroppedVersions, IReadOnlyList<ulong> DroppedChunkIds);
