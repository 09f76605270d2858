using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dfs.Common.Configuration;

namespace Dfs.Raft.Tests.Processes;

/// <summary>The masters' HTTP API on three real master processes, on each consensus backend.</summary>
public sealed class MasterProcessHttpApiTests
{
    private static HttpClient NewClient() => new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(10) };

    private static string Api(MasterProcessCluster cluster, string id) => $"http://127.0.0.1:{cluster.Config.Master(id).ApiPort}";

    [Theory]
    [InlineData(ConsensusBackends.Dfs)]
    [InlineData(ConsensusBackends.DotNext)]
    public async Task Put_OnTheLeader_ReadsBackLinearizably_AndEveryMasterReportsThatLeader(string consensus)
    {
        await using var cluster = new MasterProcessCluster("http-put", consensus);
        await cluster.StartAsync();
        var leader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30));
        using var http = NewClient();

        var put = await http.PutAsync($"{Api(cluster, leader)}/kv/dir/a", new ByteArrayContent("hello"u8.ToArray()));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var get = await http.GetAsync($"{Api(cluster, leader)}/kv/dir/a");

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("hello", await get.Content.ReadAsStringAsync());
        foreach (var id in cluster.Ids)
        {
            var status = await http.GetFromJsonAsync<JsonElement>($"{Api(cluster, id)}/raft/status");
            Assert.Equal(id, status.GetProperty("id").GetString());
            Assert.Equal(id == leader ? "Leader" : "Follower", status.GetProperty("role").GetString());
            Assert.Equal(leader, status.GetProperty("leaderId").GetString());
            Assert.Equal(3, status.GetProperty("members").GetArrayLength());
            Assert.True(status.GetProperty("commitIndex").GetInt64() > 0, $"{id} reports commit index {status.GetProperty("commitIndex")}");
        }
    }

    [Theory]
    [InlineData(ConsensusBackends.Dfs)]
    [InlineData(ConsensusBackends.DotNext)]
    public async Task WriteAndLinearizableRead_OnAFollower_AreRedirectedWith307ToTheLeadersApi(string consensus)
    {
        await using var cluster = new MasterProcessCluster("http-redirect", consensus);
        await cluster.StartAsync();
        var leader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30));
        var follower = cluster.Ids.First(id => id != leader);
        using var http = NewClient();

        var put = await http.PutAsync($"{Api(cluster, follower)}/kv/x", new ByteArrayContent([1]));
        var get = await http.GetAsync($"{Api(cluster, follower)}/kv/x");

        Assert.Equal(HttpStatusCode.TemporaryRedirect, put.StatusCode);
        Assert.Equal($"{Api(cluster, leader)}/kv/x", put.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.TemporaryRedirect, get.StatusCode);
        Assert.Equal($"{Api(cluster, leader)}/kv/x", get.Headers.Location?.ToString());
    }
}
