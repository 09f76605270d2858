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

    [Fact]
    public async Task Metrics_CountFileBytesIn_AndOut()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { ChunkServers = 0 });
        await cluster.WaitForLeaderAsync();
        await using var gateway = await GatewayApp.StartAsync(cluster.Config);
        var content = new byte[1234];
        Random.Shared.NextBytes(content);

        using (var put = await gateway.Http.PutAsync(new Uri("/api/files/m/one.bin", UriKind.Relative), new ByteArrayContent(content)))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(content, await gateway.Http.GetByteArrayAsync(new Uri("/api/files/m/one.bin", UriKind.Relative)));
        }
        using var ranged = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/files/m/one.bin", UriKind.Relative));
        ranged.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, 99);
        using (var part = await gateway.Http.SendAsync(ranged))
        {
            Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        }

        var text = await gateway.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(1234, Counter(text, "dfs_gateway_bytes_in_total"));
        Assert.Equal(2 * 1234 + 100, Counter(text, "dfs_gateway_bytes_out_total"));
    }

    private static double Counter(string text, string name)
    {
        var line = text.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
