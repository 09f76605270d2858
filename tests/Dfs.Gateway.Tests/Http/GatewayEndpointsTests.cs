using System.Net;
using System.Text.Json;
using Dfs.Testing;
using Dfs.Testing.Cluster;

namespace Dfs.Gateway.Tests.Http;

/// <summary>The gateway's routes (<c>/health</c>, <c>/api/cluster</c>) and its OpenAPI document, over an in-process cluster.</summary>
public sealed class GatewayEndpointsTests
{
    [Fact]
    public async Task Health_WithALeader_Is200AndNamesIt()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { ChunkServers = 0 });
        var leader = await cluster.WaitForLeaderAsync();
        await using var gateway = await GatewayApp.StartAsync(cluster.Config);

        using var response = await gateway.Http.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ok", body.RootElement.GetProperty("status").GetString());
        Assert.Equal(leader.Id, body.RootElement.GetProperty("leader").GetString());
    }

    [Fact]
    public async Task Health_WithoutALeader_Is503ProblemDetails()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { ChunkServers = 0 });
        var leader = await cluster.WaitForLeaderAsync();
        await cluster.KillMasterAsync(leader.Id);
        await cluster.KillMasterAsync(cluster.RunningMasters.First().Id);
        await using var gateway = await GatewayApp.StartAsync(cluster.Config);

        HttpStatusCode? status = null;
        string? mediaType = null;
        string body = "";
        await Eventually.WaitUntilAsync(async () =>
        {
            using var response = await gateway.Http.GetAsync(new Uri("/health", UriKind.Relative));
            (status, mediaType, body) = (response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
            return status == HttpStatusCode.ServiceUnavailable;
        }, cluster.Timeout, () => $"{status} {body}; cluster {cluster.Describe()}", "503 from /health with one master of three left");

        Assert.Equal("application/problem+json", mediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains("no quorum", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cluster_ListsEveryMasterAndChunkServerInItsShape()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { ChunkServers = 1 });
        var leader = await cluster.WaitForLeaderAsync();
        await using var gateway = await GatewayApp.StartAsync(cluster.Config);

        using var response = await gateway.Http.GetAsync(new Uri("/api/cluster", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        Assert.Equal(new[] { "leader", "masters", "chunkServers" }, root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(leader.Id, root.GetProperty("leader").GetString());
        var masters = root.GetProperty("masters").EnumerateArray().ToArray();
        Assert.Equal(cluster.Masters.Select(m => m.Id), masters.Select(m => m.GetProperty("id").GetString()));
        foreach (var master in masters)
        {
            Assert.Equal(new[] { "id", "address", "healthy", "role", "term", "commitIndex", "leaderId", "pid" }, master.EnumerateObject().Select(p => p.Name));
            Assert.True(master.GetProperty("healthy").GetBoolean(), master.ToString());
            Assert.Equal(Environment.ProcessId, master.GetProperty("pid").GetInt32());
        }
        var master1 = cluster.Master("m1");
        Assert.Equal($"http://127.0.0.1:{master1.ApiPort}", masters[0].GetProperty("address").GetString());
        var chunkServer = Assert.Single(root.GetProperty("chunkServers").EnumerateArray().ToArray());
        Assert.Equal(new[] { "id", "address", "alive", "pid" }, chunkServer.EnumerateObject().Select(p => p.Name));
        Assert.Equal("c1", chunkServer.GetProperty("id").GetString());
        // Without the launcher the gateway knows no chunk server process.
        Assert.False(chunkServer.GetProperty("alive").GetBoolean());
        Assert.Equal(JsonValueKind.Null, chunkServer.GetProperty("pid").ValueKind);
    }

    [Fact]
    public async Task OpenApiDocument_DescribesEveryRouteWithASummaryAndItsAnswers()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { Masters = 1, ChunkServers = 0 });
        await using var gateway = await GatewayApp.StartAsync(cluster.Config);

        using var document = JsonDocument.Parse(await gateway.Http.GetStringAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative)));
        using var ui = await gateway.Http.GetAsync(new Uri("/swagger/index.html", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        var paths = document.RootElement.GetProperty("paths");
        Assert.Equal(new[] { "/health", "/api/cluster" }, paths.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).Reverse());
        foreach (var (path, codes) in new[] { ("/health", new[] { "200", "500", "503" }), ("/api/cluster", new[] { "200", "500" }) })
        {
            var get = paths.GetProperty(path).GetProperty("get");
            Assert.False(string.IsNullOrWhiteSpace(get.GetProperty("summary").GetString()), $"{path} has no summary");
            var responses = get.GetProperty("responses");
            Assert.Equal(codes, responses.EnumerateObject().Select(r => r.Name).Order(StringComparer.Ordinal));
            foreach (var problem in codes.Where(c => c != "200"))
            {
                Assert.True(responses.GetProperty(problem).GetProperty("content").TryGetProperty("application/problem+json", out _),
                    $"{path} {problem} is not described as problem details: {responses.GetProperty(problem)}");
            }
        }
    }
}
