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

/// <summary>
/// A committed replica as a file: <paramref name="DataPath"/> holds <see cref="ChunkInfo.Length"/> bytes in
/// blocks of <see cref="ChunkLayout.BlockSize"/>, block <c>i</c> with CRC-32C <c>BlockCrcs[i]</c>.
/// </summary>
/// <remarks>
/// A committed data file is never written again (a new version gets a new file), so a reader that opened it
/// may go on reading even if the replica is replaced or deleted meanwhile; a reader that finds the file gone
/// or a block failing its check reads through the server instead, which reports and quarantines the replica.
/// </remarks>
public sealed record LocalReplica(ChunkInfo Info, string DataPath, IReadOnlyList<uint> BlockCrcs);
