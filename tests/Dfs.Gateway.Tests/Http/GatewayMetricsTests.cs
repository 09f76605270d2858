using System.Net;
using Dfs.Testing.Cluster;

namespace Dfs.Gateway.Tests.Http;

public sealed class GatewayMetricsTests
{
    [Fact]
    public async Task Metrics_CountRequestsPerRouteAndStatus_InThePrometheusTextFormat()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { ChunkServers = 0 });
        await cluster.WaitForLeaderAsync();
        await using var gateway = await GatewayApp.StartAsync(cluster.Config);
        for (var i = 0; i < 3; i++)
        {
            using var health = await gateway.Http.GetAsync(new Uri("/health", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        using var response = await gateway.Http.GetAsync(new Uri("/metrics", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var line = text.Split('\n').SingleOrDefault(l =>
            l.StartsWith("http_requests_received_total{", StringComparison.Ordinal) && l.Contains("code=\"200\"", StringComparison.Ordinal) &&
            l.Contains("endpoint=\"/health\"", StringComparison.Ordinal));
        Assert.True(line is not null, text);
        Assert.EndsWith(" 3", line, StringComparison.Ordinal);
        Assert.Contains("http_request_duration_seconds_bucket{", text, StringComparison.Ordinal);
        Assert.Contains("dfs_gateway_bytes_in_total", text, StringComparison.Ordinal);
    }
}
