namespace Dfs.Raft.ChunkServers;

/// <summary>
/// A copy the leader ordered: <see cref="Target"/> fetches the chunk from the first of <see cref="Sources"/> (the chosen one),
/// or failing that from the others, in order; done when the target reports it.
/// </summary>
internal sealed record CopyInFlight(ulong ChunkId, long Version, string Target, IReadOnlyList<string> Sources, long Deadline)
{
    public string Source => Sources[0];
}
