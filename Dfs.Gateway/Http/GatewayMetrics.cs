using Dfs.Hosting.Metrics;
using Prometheus;

namespace Dfs.Gateway.Http;

/// <summary>The gateway's own counters beside the per-route request counts and latencies of the HTTP middleware: file bytes in and out.</summary>
public sealed class GatewayMetrics(NodeMetrics metrics)
{
    /// <summary>File bytes received in uploads (counted as they stream, so a failed upload counts what arrived).</summary>
    public Counter BytesIn { get; } = metrics.Factory.CreateCounter("dfs_gateway_bytes_in_total", "File bytes received from clients in uploads.");

    /// <summary>File bytes sent to clients in downloads.</summary>
    public Counter BytesOut { get; } = metrics.Factory.CreateCounter("dfs_gateway_bytes_out_total", "File bytes sent to clients in downloads.");
}
