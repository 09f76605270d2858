using Dfs.Client.Metadata;
namespace Dfs.Raft.Metadata;

/// <summary>Chunks that no kept version references any more, recorded when a commit or delete dropped them.</summary>
/// <param name="InodeId">The file they belonged to.</param>
/// <param name="Version">The newest version dropped with them.</param>
/// <param name="ChunkIds">The chunk ids to reclaim.</param>
public sealed record GarbageRecord(ulong InodeId, long Version, IReadOnlyList<ulong> ChunkIds);
