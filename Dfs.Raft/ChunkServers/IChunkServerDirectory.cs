using Dfs.Client.ChunkServers;

namespace Dfs.Raft.ChunkServers;

/// <summary>
/// What every master knows of the chunk servers: soft state rebuilt from their heartbeats (every chunk server
/// heartbeats to every master, with a full report at start), so a newly elected leader answers at once. The leader's
/// duties (placement, re-replication, repair, stale replica removal, deletion) act through it.
/// </summary>
/// <remarks>Thread-safe. Nothing here goes through the Raft log except membership and drain flags.</remarks>
public interface IChunkServerDirectory
{
    /// <summary>
    /// Chooses <paramref name="count"/> distinct live servers for a new chunk, none full, draining or in <paramref name="exclude"/>,
    /// spread by free space and current load; the first is the pipeline's primary.
    /// </summary>
    /// <exception cref="NotEnoughChunkServersException">Fewer than <paramref name="count"/> servers qualify.</exception>
    IReadOnlyList<ChunkServerAddress> Place(int count, IReadOnlyCollection<string>? exclude = null);

    /// <summary>The live servers holding <paramref name="chunkId"/> at <paramref name="minimumVersion"/> or later and not reported corrupt, least loaded first.</summary>
    IReadOnlyList<ChunkServerAddress> Replicas(ulong chunkId, long minimumVersion);

    /// <summary>Records that the chunk's current version is <paramref name="version"/> (a write or a pipeline rebuild): replicas reported below it are stale and get removed.</summary>
    void SetChunkVersion(ulong chunkId, long version);

    /// <summary>
    /// Records that <paramref name="writers"/> write <paramref name="chunkId"/> at <paramref name="version"/>. Once that write
    /// is acknowledged and its version committed they hold it, so <see cref="Replicas"/> names them (while alive) before
    /// their next heartbeat reports the chunk: a read right after a write finds its replicas.
    /// </summary>
    void ExpectReplicas(ulong chunkId, long version, IReadOnlyList<ChunkServerAddress> writers);

    /// <summary>Tells every server holding these chunks to delete them (in its next heartbeat replies), until none reports them.</summary>
    void Delete(IEnumerable<ulong> chunkIds);

    /// <summary>True when no server, live or dead, last reported holding any of <paramref name="chunkIds"/>.</summary>
    bool NoneHeld(IEnumerable<ulong> chunkIds);

    /// <summary>The servers as this master sees them, and the replication work.</summary>
    ChunkServersView View();

    /// <summary>Marks a server draining (or not) through the log, so every master and every future leader knows.</summary>
    /// <exception cref="ArgumentException">No chunk server has that id.</exception>
    Task SetDrainingAsync(string serverId, bool draining, CancellationToken cancellationToken);
}

/// <summary>Fewer chunk servers qualify for a placement than it needs.</summary>
public sealed class NotEnoughChunkServersException(string message) : Exception(message);
