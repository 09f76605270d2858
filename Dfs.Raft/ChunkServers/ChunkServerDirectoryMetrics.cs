using Dfs.Hosting.Metrics;

namespace Dfs.Raft.ChunkServers;

/// <summary>
/// A master's view of the chunk servers on <c>/metrics</c>, read from its directory at each scrape: live servers, chunks
/// below the replication factor, copies in flight (the re-replication queue) and copies ordered. The last three move
/// only on the leader, which runs the duties; a master that is not leading shows what it counted when it last led.
/// </summary>
public sealed class ChunkServerDirectoryMetrics
{
    public ChunkServerDirectoryMetrics(NodeMetrics metrics, ChunkServerDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(directory);
        var factory = metrics.Factory;
        var alive = factory.CreateGauge("dfs_chunk_servers_alive", "Chunk servers this master has heard from within the dead timeout.");
        var under = factory.CreateGauge("dfs_chunks_under_replicated", "Chunks with fewer counted replicas than the replication factor, at the leader's last duty pass.");
        var inFlight = factory.CreateGauge("dfs_chunk_copies_in_flight", "Chunk copies ordered and not yet reported done, failed or timed out: the re-replication queue.");
        var ordered = factory.CreateCounter("dfs_chunk_copies_ordered_total", "Chunk copies ordered by this master as leader (re-replication, repair, drains).");
        metrics.BeforeScrape(() =>
        {
            var view = directory.View();
            alive.Set(view.Servers.Count(s => s.Alive));
            under.Set(view.UnderReplicatedChunks);
            inFlight.Set(view.ReplicationsInFlight);
            ordered.IncTo(directory.CopiesOrdered);
        });
    }
}
