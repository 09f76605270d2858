namespace Dfs.Raft.ChunkServers;

/// <summary>
/// A copy the leader ordered: <see cref="Target"/> fetches the chunk from <see cref="Source"/>, or failing that from the other
/// servers in <see cref="Sources"/> (the order's whole list, chosen source first); done when the target reports it.
/// </summary>
internal sealed record CopyInFlight(ulong ChunkId, long Version, string Target, string Source, IReadOnlyList<string> Sources, long Deadline);
