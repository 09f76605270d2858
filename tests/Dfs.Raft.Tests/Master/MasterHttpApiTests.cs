using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dfs.Common.Configuration;

namespace Dfs.Raft.Tests.Master;

public sealed class MasterHttpApiTests : IAsyncLifetime
{
    private static readonly ClusterConfig Config = new()
    {
        Masters =
        [
            new MasterNodeConfig { Id = "m1", Host = "127.0.0.1", RaftPort = 1, ApiPort = 2 },
            new MasterNodeConfig { Id = "m2", Host = "127.0.0.2", RaftPort = 3, ApiPort = 7102 },
            new MasterNodeConfig { Id = "m3", Host = "127.0.0.3", RaftPort = 5, ApiPort = 6 },
        ],
    };

    private readonly DirectMasterKv _kv = new();
    private MasterApiServer _server = null!;

    private HttpClient Http => _server.Client;

    public async Task InitializeAsync() => _server = await MasterApiServer.StartAsync(_kv, Config);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _kv.Dispose();
    }

    [Fact]
    public async Task Put_ThenGet_ReturnsTheValueAndItsRevision()
    {
        var put = await Http.PutAsync("/kv/dir/a", new ByteArrayContent("hello"u8.ToArray()));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var revision = (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("revision").GetInt64();

        var get = await Http.GetAsync("/kv/dir/a");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("hello", await get.Content.ReadAsStringAsync());
        Assert.Equal(revision.ToString(System.Globalization.CultureInfo.InvariantCulture), get.Headers.GetValues("X-Revision").Single());
    }

    [Fact]
    public async Task Key_WithEncodedSlashAndUnicode_IsOneKey()
    {
        await Http.PutAsync("/kv/a%2Fb%20%C3%A9", new ByteArrayContent([1, 2, 3]));
        var range = await Http.GetFromJsonAsync<JsonElement>("/kv?prefix=a");
        var key = range.GetProperty("items")[0].GetProperty("key").GetString();
        Assert.Equal("a/b é", key);
    }

    [Fact]
    public async Task Get_OfMissingKey_IsProblem404()
    {
        var get = await Http.GetAsync("/kv/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal("application/problem+json", get.Content.Headers.ContentType?.MediaType);
        Assert.Contains("nothing-here", await get.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_RemovesTheKey_AndReportsTheCount()
    {
        await Http.PutAsync("/kv/gone", new ByteArrayContent([1]));
        var delete = await Http.DeleteFromJsonAsync<JsonElement>("/kv/gone");
        Assert.Equal(1, delete.GetProperty("deleted").GetInt64());
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/kv/gone")).StatusCode);
    }

    [Fact]
    public async Task Range_ByPrefix_IsOrderedAndHonoursTheLimit()
    {
        foreach (var name in new[] { "p/c", "p/a", "p/b", "q/a" })
        {
            await Http.PutAsync($"/kv/{name}", new ByteArrayContent(Encoding.UTF8.GetBytes(name)));
        }
        var page = await Http.GetFromJsonAsync<JsonElement>("/kv?prefix=p/&limit=2");
        var keys = page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("key").GetString()!).ToArray();
        Assert.Equal(["p/a", "p/b"], keys);
        Assert.True(page.GetProperty("more").GetBoolean());
    }

    [Fact]
    public async Task Put_WithEmptyKey_Is400AndChangesNothing()
    {
        var before = _kv.Store.Revision;
        var response = await Http.PutAsync("/kv/", new ByteArrayContent([1]));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("empty", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, _kv.Store.Revision);
    }

    [Theory]
    [InlineData("/kv?limit=0", "limit")]
    [InlineData("/kv?limit=abc", "limit")]
    public async Task BadReads_Are400WithAReason(string url, string reasonFragment)
    {
        var response = await Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reasonFragment, await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Put_WithOversizedKey_Is400AndChangesNothing()
    {
        var before = _kv.Store.Revision;
        var response = await Http.PutAsync("/kv/" + new string('k', 1025), new ByteArrayContent([1]));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("1024", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, _kv.Store.Revision);
    }

    [Fact]
    public async Task Put_WithValueOver1MiB_Is400AndChangesNothing()
    {
        var before = _kv.Store.Revision;
        var response = await Http.PutAsync("/kv/big", new ByteArrayContent(new byte[(1 << 20) + 1]));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("1 MiB", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, _kv.Store.Revision);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/kv/big")).StatusCode);
    }

    [Fact]
    public async Task Put_WithExactly1MiB_IsAccepted()
    {
        var response = await Http.PutAsync("/kv/just-fits", new ByteArrayContent(new byte[1 << 20]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Put_WithHalfASessionIdentity_Is400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/kv/x") { Content = new ByteArrayContent([1]) };
        request.Headers.Add("X-Client-Id", Guid.NewGuid().ToString());
        var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("X-Sequence", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Txn_CompareAndSwap_TakesTheBranchTheCompareSelects()
    {
        await Http.PutAsync("/kv/lock", new ByteArrayContent("free"u8.ToArray()));
        const string swap = """
            {"compare":[{"key":"lock","target":"value","operator":"==","value":"free"}],
             "success":[{"op":"put","key":"lock","value":"taken"}],
             "failure":[{"op":"get","key":"lock"}]}
            """;
        var first = await (await Http.PostAsync("/kv/txn", new StringContent(swap, Encoding.UTF8, "application/json"))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(first.GetProperty("succeeded").GetBoolean());

        var second = await (await Http.PostAsync("/kv/txn", new StringContent(swap, Encoding.UTF8, "application/json"))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(second.GetProperty("succeeded").GetBoolean());
        Assert.Equal("taken", second.GetProperty("results")[0].GetProperty("items")[0].GetProperty("value").GetString());
    }

    [Theory]
    [InlineData("{not json", "not valid")]
    [InlineData("""{"success":[{"op":"rename","key":"a"}]}""", "success[0]")]
    [InlineData("""{"compare":[{"key":"a","target":"size","number":1}]}""", "compare[0]")]
    [InlineData("""{"success":[{"op":"put","key":"a"}]}""", "needs a value")]
    public async Task Txn_Malformed_Is400NamingTheProblem_AndChangesNothing(string body, string reasonFragment)
    {
        var before = _kv.Store.Revision;
        var response = await Http.PostAsync("/kv/txn", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reasonFragment, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, _kv.Store.Revision);
    }

    [Fact]
    public async Task Follower_RedirectsWritesToTheLeadersSameUrl_With307()
    {
        _kv.FollowerOf = (true, "m2");
        var response = await Http.PutAsync("/kv/a%2Fb?lease=0", new ByteArrayContent([1]));
        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal("http://127.0.0.2:7102/kv/a%2Fb?lease=0", response.Headers.Location?.ToString());
    }

    [Fact]
    public async Task Follower_WithNoLeaderKnown_Answers503WithRetryAfter()
    {
        _kv.FollowerOf = (true, null);
        var response = await Http.GetAsync("/kv/anything");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task Follower_ServesSerializableReadsLocally()
    {
        await Http.PutAsync("/kv/local", new ByteArrayContent("v"u8.ToArray()));
        _kv.FollowerOf = (true, "m2");
        var response = await Http.GetAsync("/kv/local?serializable=true");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task RaftStatus_WithNoLeaderKnown_StillHasTheLeaderIdField()
    {
        _kv.FollowerOf = (true, null);
        var status = await Http.GetFromJsonAsync<JsonElement>("/raft/status");
        Assert.Equal(JsonValueKind.Null, status.GetProperty("leaderId").ValueKind);
    }

    [Fact]
    public async Task RaftStatus_ReportsRoleTermAndPid()
    {
        var status = await Http.GetFromJsonAsync<JsonElement>("/raft/status");
        Assert.Equal("Leader", status.GetProperty("role").GetString());
        Assert.Equal(Environment.ProcessId, status.GetProperty("pid").GetInt32());
        Assert.Equal(3, status.GetProperty("members").GetArrayLength());
    }
}
