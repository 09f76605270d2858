using Dfs.Client.Chunks;
using Dfs.Common.Validation;
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

    /// <summary>Checks the options, naming every problem.</summary>
    /// <exception cref="ArgumentException">Every broken rule, each starting with the setting's name.</exception>
    public void Validate() => new OptionsCheck()
        .Require(!string.IsNullOrWhiteSpace(RootPath), "RootPath, the chunk store's data folder, must be set.")
        .Require(CapacityBytes >= 0, $"CapacityBytes must be 0 (the disk's free space) or positive (is {CapacityBytes}).")
        .Require(ReservedDiskBytes >= 0, $"ReservedDiskBytes must not be negative (is {ReservedDiskBytes}).")
        .ThrowIfAny();
}
