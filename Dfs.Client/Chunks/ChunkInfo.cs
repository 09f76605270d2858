namespace Dfs.Client.Chunks;

/// <summary>A complete replica held by a chunk server: what heartbeats report.</summary>
/// <param name="Id">The chunk.</param>
/// <param name="Version">
/// The replica's chunk version. A replica whose version is below the one the master (or writer) expects
/// is stale and is never served.
/// </param>
/// <param name="Length">Bytes of chunk data.</param>
/// <param name="Checksum">CRC-32C of the whole chunk's data, for end-to-end comparison with the master's record.</param>
public sealed record ChunkInfo(ChunkId Id, long Version, long Length, uint Checksum);

/// <summary>Space and contents of a store, for heartbeats and placement.</summary>
public sealed record StoreUsage(long UsedBytes, long FreeBytes, int ChunkCount);
