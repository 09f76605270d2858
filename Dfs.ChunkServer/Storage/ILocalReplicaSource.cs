using Dfs.Client.Chunks;

namespace Dfs.ChunkServer.Storage;

/// <summary>
/// A store whose committed replicas are plain files a reader on the same machine may open itself
/// (short-circuit local reads), given the block checksums to verify every byte against.
/// </summary>
public interface ILocalReplicaSource
{
    /// <summary>Where a committed replica's data lies and the CRC-32C of each of its blocks.</summary>
    /// <param name="minimumVersion">The version the caller knows is current; an older replica is refused as stale.</param>
    /// <exception cref="ChunkStoreException">NotFound, StaleVersion.</exception>
    LocalReplica DescribeLocal(ChunkId id, long minimumVersion);
}
