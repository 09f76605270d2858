namespace Dfs.Client.Metadata;

/// <summary>One chunk of a file version.</summary>
/// <param name="ChunkId">The chunk's id on the chunk servers.</param>
/// <param name="Length">Bytes of the file the chunk holds.</param>
/// <param name="Checksum">CRC-32C of the chunk's bytes.</param>
/// <param name="ChunkVersion">The chunk's version (bumped by pipeline recovery, so stale replicas are known).</param>
public readonly record struct ChunkRef(ulong ChunkId, long Length, uint Checksum, long ChunkVersion);
