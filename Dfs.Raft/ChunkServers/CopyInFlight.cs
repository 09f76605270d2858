namespace Dfs.Raft.ChunkServers;

/// <summary>A copy the leader ordered: <see cref="Target"/> fetches the chunk from <see cref="Source"/>; done when the target reports it.</summary>
internal sealed record CopyInFlight(ulong ChunkId, long Version, string Target, string Source, long Deadline);
