using Dfs.ChunkServer.Storage;
using Dfs.Hosting.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace Dfs.ChunkServer.Server;

/// <summary>
/// A chunk server's metrics, read from the store and the service at each scrape: replicas held and their bytes, transfers in
/// progress, and what the scrubber verified and found corrupt.
/// </summary>
internal sealed class ChunkServerMetrics
{
    public ChunkServerMetrics(NodeMetrics metrics, ChunkService service, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(service);
        var factory = metrics.Factory;
        var replicas = factory.CreateGauge("dfs_chunk_replicas", "Committed chunk replicas this server holds.");
        var bytes = factory.CreateGauge("dfs_chunk_replica_bytes", "Bytes of the committed replicas this server holds.");
        var transfers = factory.CreateGauge("dfs_chunk_transfers_in_progress", "Reads, writes and copies this server is serving now.");
        var verified = factory.CreateGauge("dfs_chunk_scrub_verified_bytes", "Bytes the background scrubber has re-verified since start.");
        var corrupt = factory.CreateGauge("dfs_chunk_scrub_corrupt_replicas", "Corrupt replicas the background scrubber has found since start.");
        // The scrubber is optional (a server over a caller's store runs none).
        var scrubber = services.GetService<ChunkScrubber>();
        metrics.BeforeScrape(() =>
        {
            var listed = service.Store.List();
            replicas.Set(listed.Count);
            bytes.Set(listed.Sum(c => c.Length));
            transfers.Set(service.Transfers);
            if (scrubber is not null)
            {
                verified.Set(scrubber.BytesVerified);
                corrupt.Set(scrubber.CorruptFound);
            }
        });
    }
}
