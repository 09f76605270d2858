using System.Net;
using System.Text.Json;
using Dfs.Client.Master;
using Dfs.Client.Master.Protocol;
using Dfs.Common.Configuration;
using Dfs.Raft.Master;

namespace Dfs.Raft.Tests.Master;

/// <summary>The same failure reads the same on the internal protocol and over HTTP.</summary>
public sealed class MasterErrorEdgesTests
{
    [Fact]
    public async Task DiscardedResponse_IsAConflict_OnTheWireAndOverHttp()
    {
        using var inner = new DirectMasterKv();
        var discarding = new FailingMasterKv(inner, new ResponseDiscardedException("Sequence 1 of client c was applied earlier and its response is no longer kept."));
        await using var wire = await ClientProtocolServer.StartAsync(discarding);
        await using var http = await MasterApiServer.StartAsync(discarding, new ClusterConfig
        {
            Masters = [new MasterNodeConfig { Id = "m1", Host = "127.0.0.1", RaftPort = wire.Port, ApiPort = 1 }],
        });
        await using var client = new MasterClient([new MasterNodeConfig { Id = "m1", Host = "127.0.0.1", RaftPort = wire.Port, ApiPort = 1 }]);

        var error = await Assert.ThrowsAsync<MasterException>(() => client.PutAsync("k"u8.ToArray(), "v"u8.ToArray()));
        var response = await http.Client.PutAsync("/kv/k", new ByteArrayContent("v"u8.ToArray()));

        Assert.Equal(MasterErrorCode.Conflict, error.Code);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Conflict", problem.GetProperty("code").GetString());
        Assert.Equal(discarding.Failure.Message, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task UnexpectedFailure_IsA500ProblemOverHttp_NamingWhatFailed()
    {
        using var inner = new DirectMasterKv();
        var broken = new FailingMasterKv(inner, new IOException("Raft node m1 could not persist its log: disk full"));
        await using var http = await MasterApiServer.StartAsync(broken, new ClusterConfig
        {
            Masters = [new MasterNodeConfig { Id = "m1", Host = "127.0.0.1", RaftPort = 1, ApiPort = 2 }],
        });

        var response = await http.Client.PutAsync("/kv/k", new ByteArrayContent("v"u8.ToArray()));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Internal", problem.GetProperty("code").GetString());
        Assert.Contains("disk full", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
