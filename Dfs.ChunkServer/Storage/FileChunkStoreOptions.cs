using Dfs.Client.Chunks;
namespace Dfs.ChunkServer.Storage;

/// <summary>Where and how much a <see cref="FileChunkStore"/> stores.</summary>
public sealed class FileChunkStoreOptions
{
    /// <summary>The node's data folder; the store keeps <c>chunks/</c>, <c>pending/</c> and <c>corrupt/</c> under it.</summary>
    public required string RootPath { get; init; }

    /// <summary>Bytes the store may hold, committed plus pending; 0 (the default) means the disk's free space.</summary>
    public long CapacityBytes { get; init; }

    /// <summary>With <see cref="CapacityBytes"/> 0, free disk space a write leaves untouched so commits can still write their meta (default 1 MiB).</summary>
    public long ReservedDiskBytes { get; init; } = 1 << 20;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(RootPath))
        {
            throw new ArgumentException("The chunk store needs a data folder (RootPath).", nameof(RootPath));
        }
        if (CapacityBytes < 0)
        {
            throw new ArgumentException($"CapacityBytes must be 0 (the disk's free space) or positive, not {CapacityBytes}.", nameof(CapacityBytes));
        }
        if (ReservedDiskBytes < 0)
        {
            throw new ArgumentException($"ReservedDiskBytes must not be negative, not {ReservedDiskBytes}.", nameof(ReservedDiskBytes));
        }
    }
}
