using Dfs.Client.ChunkServers;
using Dfs.Raft.ChunkServers;

namespace Dfs.Raft.Metadata.Service;

/// <summary>
/// The directory of a master composed without one: it knows no chunk server, so allocations are refused with a clear
/// message, lookups list no replicas, and garbage collection keeps every record (nothing is known to be deleted).
/// </summary>
internal sealed class UnavailableChunkServerDirectory(int replicationFactor) : IChunkServerDirectory
{
    public IReadOnlyList<ChunkServerAddress> Place(int count, IReadOnlyCollection<string>? exclude = null) =>
        throw new NotEnoughChunkServersException("This master has no chunk-server directory.");

    public IReadOnlyList<ChunkServerAddress> Replicas(ulong chunkId, long minimumVersion) => [];

    public void ExpectReplicas(ulong chunkId, long version, IReadOnlyList<ChunkServerAddress> writers)
    {
    }

    public void SetChunkVersion(ulong chunkId, long version)
    {
    }

    public void Delete(IEnumerable<ulong> chunkIds)
    {
    }

    public bool NoneHeld(IEnumerable<ulong> chunkIds) => false;

    public ChunkServersView View() => new([], replicationFactor, 0, 0);

    public Task SetDrainingAsync(string serverId, bool draining, CancellationToken cancellationToken) =>
        throw new ArgumentException($"No chunk server has the id '{serverId}'.", nameof(serverId));
}
