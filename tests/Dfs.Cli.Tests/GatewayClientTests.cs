using Dfs.Cli.Gateway;
using Dfs.Cli.Tests.Fake;

namespace Dfs.Cli.Tests;

/// <summary>The typed REST client on its own: URLs, paging, headers.</summary>
public sealed class GatewayClientTests
{
    [Theory]
    [InlineData("/", "")]
    [InlineData("/a/b c.txt", "a/b%20c.txt")]
    [InlineData("/ü/100%/x?y#z", "%C3%BC/100%25/x%3Fy%23z")]
    public void Encode_PercentEncodesEachSegment_WithoutTheLeadingSlash(string path, string encoded) =>
        Assert.Equal(encoded, RemotePath.Encode(path));

    [Fact]
    public async Task AWeirdName_RoundTripsThroughTheUrl()
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var client = new GatewayClient(new Uri(gateway.Url));
        const string path = "/dir with space/ü 100% #1?.txt";

        var written = await client.PutFileAsync(path, new MemoryStream("x"u8.ToArray()), 1);
        var meta = await client.GetMetadataAsync(path);

        Assert.Equal(path, written.Path);
        Assert.Equal(path, meta.Path);
    }

    [Fact]
    public async Task ListingsFollowTheirPages()
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var client = new GatewayClient(new Uri(gateway.Url));
        for (var i = 0; i < 5; i++)
        {
            await client.PutFileAsync($"/paged/f{i}", Stream.Null, 0);
        }

        var first = await client.ListDirectoryAsync("/paged", limit: 2);
        var entries = new List<string>();
        await foreach (var entry in client.ListDirectoryAllAsync("/paged", pageSize: 2))
        {
            entries.Add(entry.Name);
        }
        var files = new List<string>();
        await foreach (var file in client.ListAllFilesAsync("/paged/", pageSize: 2))
        {
            files.Add(file.Path);
        }

        Assert.Equal("f1", first.Next);
        Assert.Equal(["f0", "f1", "f2", "f3", "f4"], entries);
        Assert.Equal(["/paged/f0", "/paged/f1", "/paged/f2", "/paged/f3", "/paged/f4"], files);
    }

    [Fact]
    public async Task Download_CarriesVersionEtagLengthAndContentType()
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var client = new GatewayClient(new Uri(gateway.Url));
        await client.PutFileAsync("/t.txt", new MemoryStream("hello"u8.ToArray()), 5, new Dfs.Cli.Gateway.Contracts.PutFileOptions(ContentType: "text/plain"));

        using var download = await client.OpenFileAsync("/t.txt");
        var head = await client.HeadFileAsync("/t.txt");

        Assert.Equal(5, download.Headers.Length);
        Assert.Equal(1, download.Headers.Version);
        Assert.Matches("^\"[0-9a-f]{8}\"$", download.Headers.Etag);
        Assert.Equal((await client.GetMetadataAsync("/t.txt")).Etag, download.Headers.Etag);
        Assert.Equal("text/plain", download.Headers.ContentType);
        Assert.Equal(download.Headers with { }, head);
    }

    [Fact]
    public async Task AProblem_SurfacesItsStatusSlugAndDetail()
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var client = new GatewayClient(new Uri(gateway.Url));

        var problem = await Assert.ThrowsAsync<GatewayProblemException>(() => client.DeleteDirectoryAsync("/absent"));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, problem.Status);
        Assert.Equal("not-found", problem.Slug);
        Assert.Equal("Nothing exists at /absent.", problem.Message);
    }

    [Fact]
    public async Task NoLeader_CarriesRetryAfter()
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var client = new GatewayClient(new Uri(gateway.Url));
        gateway.Unavailable = true;

        var problem = await Assert.ThrowsAsync<GatewayProblemException>(() => client.GetClusterAsync());

        Assert.Equal("no-leader", problem.Slug);
        Assert.Equal(TimeSpan.FromSeconds(1), problem.RetryAfter);
    }
}
