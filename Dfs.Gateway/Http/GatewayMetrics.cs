using Dfs.Client.Files;
using Dfs.Hosting.Metrics;
using Prometheus;

namespace Dfs.Gateway.Http;

/// <summary>
/// The gateway's own counters beside the per-route request counts and latencies of the HTTP middleware: file bytes in and out,
/// and how the uploader draws chunk allocations from the masters.
/// </summary>
public sealed class GatewayMetrics
{
    public GatewayMetrics(NodeMetrics metrics, FileUploader uploader)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(uploader);
        BytesIn = metrics.Factory.CreateCounter("dfs_gateway_bytes_in_total", "File bytes received from clients in uploads.");
        BytesOut = metrics.Factory.CreateCounter("dfs_gateway_bytes_out_total", "File bytes sent to clients in downloads.");
        var requests = metrics.Factory.CreateCounter("dfs_gateway_chunk_allocation_requests_total",
            "Batches of chunk allocations the masters answered.");
        var drawn = metrics.Factory.CreateCounter("dfs_gateway_chunk_allocations_drawn_total", "Chunk allocations the masters answered in batches.");
        var expired = metrics.Factory.CreateCounter("dfs_gateway_chunk_allocations_expired_total",
            "Chunk allocations drawn ahead and dropped unused because they grew too old (the masters collect them as orphans).");
        var pool = uploader.Allocations;
        metrics.BeforeScrape(() =>
        {
            requests.IncTo(pool.Requests);
            drawn.IncTo(pool.Drawn);
            expired.IncTo(pool.Expired);
        });
    }

    /// <summary>File bytes received in uploads (counted as they stream, so a failed upload counts what arrived).</summary>
    public Counter BytesIn { get; }

    /// <summary>File bytes sent to clients in downloads.</summary>
    public Counter BytesOut { get; }
}
