using System.Net;
using System.Text.Json;
using Dfs.Client.ChunkServers;
using Dfs.Gateway.Tests.Fakes;
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
        Assert.Equal(new[] { "leader", "masters", "chunkServers", "replicationFactor", "underReplicatedChunks", "replicationsInFlight" },
            root.EnumerateObject().Select(p => p.Name));
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
        Assert.Equal(new[] { "id", "address", "alive", "draining", "capacityBytes", "usedBytes", "freeBytes", "chunkCount", "load", "pid" },
            chunkServer.EnumerateObject().Select(p => p.Name));
        Assert.Equal("c1", chunkServer.GetProperty("id").GetString());
        // Without the launcher, what the gateway knows of a chunk server comes from the masters' view of its heartbeats:
        // alive once the leader has heard it, with its own process id (this process, for an in-process cluster).
        if (chunkServer.GetProperty("alive").GetBoolean())
        {
            Assert.Equal(Environment.ProcessId, chunkServer.GetProperty("pid").GetInt32());
        }
    }

    [Fact]
    public async Task Cluster_WithALeader_ListsTheChunkServersTheMastersHearFrom()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { Masters = 1, ChunkServers = 2 });
        await cluster.WaitForLeaderAsync();
        var metadata = new InMemoryMetadataService([.. cluster.ChunkServers.Select(c => new ChunkServerAddress(c.Id, "127.0.0.1", c.Port))], replicationFactor: 2);
        await metadata.DrainAsync("c2");
        await using var gateway = await GatewayApp.StartAsync(cluster.Config, _ => metadata);

        using var body = JsonDocument.Parse(await gateway.Http.GetStringAsync(new Uri("/api/cluster", UriKind.Relative)));

        var root = body.RootElement;
        Assert.Equal(2, root.GetProperty("replicationFactor").GetInt32());
        var servers = root.GetProperty("chunkServers").EnumerateArray().ToArray();
        Assert.Equal(new[] { "c1", "c2" }, servers.Select(s => s.GetProperty("id").GetString()));
        Assert.All(servers, s => Assert.True(s.GetProperty("alive").GetBoolean()));
        Assert.Equal(new[] { false, true }, servers.Select(s => s.GetProperty("draining").GetBoolean()));
        Assert.Equal(1L << 30, servers[0].GetProperty("capacityBytes").GetInt64());
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
        var operations = paths.EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Where(o => o.Name != "parameters").Select(o => $"{o.Name.ToUpperInvariant()} {p.Name}"))
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(new[]
        {
            "DELETE /api/cluster/chunkservers/{id}/drain", "DELETE /api/cluster/masters/{id}", "DELETE /api/dirs/{path}", "DELETE /api/files/{path}", "DELETE /api/locks/{path}",
            "GET /api/cluster", "GET /api/cluster/masters", "GET /api/dirs/{path}", "GET /api/files", "GET /api/files/{path}", "GET /api/locks/{path}", "GET /api/meta/{path}", "GET /health",
            "HEAD /api/files/{path}", "POST /api/cluster/chunkservers/{id}/drain", "POST /api/cluster/masters", "POST /api/locks/{path}", "POST /api/rename",
            "PUT /api/dirs/{path}", "PUT /api/files/{path}",
        }, operations);
        foreach (var path in paths.EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name != "parameters"))
            {
                var where = $"{operation.Name} {path.Name}";
                Assert.False(string.IsNullOrWhiteSpace(operation.Value.GetProperty("summary").GetString()), $"{where} has no summary");
                var responses = operation.Value.GetProperty("responses");
                Assert.Contains(responses.EnumerateObject(), r => r.Name.StartsWith('2'));
                foreach (var problem in responses.EnumerateObject().Where(r => r.Name[0] is '4' or '5'))
                {
                    Assert.True(problem.Value.GetProperty("content").TryGetProperty("application/problem+json", out _),
                        $"{where} {problem.Name} is not described as problem details: {problem.Value}");
                }
            }
        }

        var upload = paths.GetProperty("/api/files/{path}").GetProperty("put");
        var binary = upload.GetProperty("requestBody").GetProperty("content").GetProperty("application/octet-stream").GetProperty("schema");
        Assert.Equal("string", binary.GetProperty("type").GetString());
        Assert.Equal("binary", binary.GetProperty("format").GetString());
        var parameters = upload.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToArray();
        Assert.Contains("path", parameters);
        Assert.Contains("If-Match", parameters);
        Assert.Contains("X-Dfs-Lock-Token", parameters);
        var download = paths.GetProperty("/api/files/{path}").GetProperty("get");
        Assert.Contains(download.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "Range");
        Assert.True(download.GetProperty("responses").TryGetProperty("416", out _));
        Assert.True(paths.GetProperty("/api/rename").GetProperty("post").GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
    }
}
