using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using static Dfs.Gateway.Tests.Http.HttpTestExtensions;

namespace Dfs.Gateway.Tests.Http;

/// <summary>Uploads, downloads, ranges, conditional requests, versions, HEAD, delete, metadata and listings through real pipelines.</summary>
public sealed class FileRoutesTests(FileGatewayFixture fixture) : IClassFixture<FileGatewayFixture>
{
    private const int Chunk = FileGatewayFixture.ChunkSize;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Chunk - 1)]
    [InlineData(Chunk)]
    [InlineData(Chunk + 1)]
    [InlineData((3 * Chunk) + 12345)]
    public async Task Upload_ThenDownload_ReturnsTheExactBytesWithTheirHeaders(int size)
    {
        var path = UniqueDir() + "/sub/file.bin";
        var content = Content(size);

        using var put = await fixture.Http.PutFileAsync(path, content, "text/x-test");

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var written = await put.JsonAsync();
        Assert.Equal(path, written.GetProperty("path").GetString());
        Assert.Equal(1, written.GetProperty("version").GetInt64());
        Assert.Equal(size, written.GetProperty("size").GetInt64());
        Assert.Equal(ETagOf(content), written.GetProperty("etag").GetString());
        Assert.Equal(ETagOf(content), put.Headers.ETag?.ToString());
        Assert.Equal("/api/files" + path, put.Headers.Location?.OriginalString);

        using var get = await fixture.Http.GetAsync(Url("/api/files" + path));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(content, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal(ETagOf(content), get.Headers.ETag?.ToString());
        Assert.Equal(size, get.Content.Headers.ContentLength);
        Assert.Equal("text/x-test", get.Content.Headers.ContentType?.MediaType);
        Assert.Equal("1", get.Headers.GetValues("X-Dfs-Version").Single());
        Assert.Equal("bytes", get.Headers.AcceptRanges.Single());
        Assert.NotNull(get.Content.Headers.LastModified);

        var location = await fixture.Metadata.LookupAsync(path);
        var inline = size is > 0 and <= FileGatewayFixture.InlineBytes;
        Assert.Equal(inline, location.Version.IsInline);
        Assert.Equal(inline ? 0 : (size + Chunk - 1) / Chunk, location.Chunks.Count);
    }

    [Fact]
    public async Task Paths_EncodedPerSegmentOrWhole_NameTheSameFile()
    {
        var dir = UniqueDir();
        var content = Content(321);

        // Swagger UI encodes the whole path parameter, '/' included; the command line encodes each segment.
        using var put = await fixture.Http.PutAsync(Url($"/api/files/{dir[1..]}%2Fsub%2Fa%20b%C3%A9.txt"), new ByteArrayContent(content));

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal($"{dir}/sub/a bé.txt", (await put.JsonAsync()).GetProperty("path").GetString());
        Assert.Equal($"/api/files{dir}/sub/a%20b%C3%A9.txt", put.Headers.Location?.OriginalString);
        Assert.Equal(content, await fixture.Http.GetByteArrayAsync(Url($"/api/files{dir}/sub/a%20b%C3%A9.txt")));
    }

    [Theory]
    [InlineData("bytes=0-9", 0, 10)]
    [InlineData("bytes=65530-65545", 65530, 16)]
    [InlineData("bytes=100000-", 100000, 50000)]
    [InlineData("bytes=-7", 149993, 7)]
    [InlineData("bytes=149990-200000", 149990, 10)]
    public async Task Download_WithOneRange_Is206WithThoseBytes(string range, int offset, int length)
    {
        var path = UniqueDir() + "/ranged";
        var content = Content(150000);
        using (var put = await fixture.Http.PutFileAsync(path, content))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, Url("/api/files" + path));
        request.Headers.TryAddWithoutValidation("Range", range);
        using var response = await fixture.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(content.AsSpan(offset, length).ToArray(), await response.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes {offset}-{offset + length - 1}/150000", response.Content.Headers.ContentRange?.ToString());
    }

    [Theory]
    [InlineData("bytes=150000-")]
    [InlineData("bytes=5-2")]
    [InlineData("bytes=abc")]
    [InlineData("bytes=-0")]
    public async Task Download_WithAnUnsatisfiableRange_Is416WithTheSize(string range)
    {
        var path = UniqueDir() + "/ranged";
        using (var put = await fixture.Http.PutFileAsync(path, Content(150000)))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, Url("/api/files" + path));
        request.Headers.TryAddWithoutValidation("Range", range);
        using var response = await fixture.Http.SendAsync(request);

        await response.AssertProblemAsync(HttpStatusCode.RequestedRangeNotSatisfiable, "range-not-satisfiable");
        Assert.Equal("bytes */150000", response.Content.Headers.ContentRange?.ToString());
    }

    [Fact]
    public async Task Download_WithSeveralRanges_IsTheWholeBody()
    {
        var path = UniqueDir() + "/multi";
        var content = Content(1000);
        (await fixture.Http.PutFileAsync(path, content)).Dispose();

        using var request = new HttpRequestMessage(HttpMethod.Get, Url("/api/files" + path));
        request.Headers.TryAddWithoutValidation("Range", "bytes=0-1,5-6");
        using var response = await fixture.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Download_WhenNotModified_Is304()
    {
        var path = UniqueDir() + "/cached";
        var content = Content(5000);
        (await fixture.Http.PutFileAsync(path, content)).Dispose();

        foreach (var configure in new Action<HttpRequestMessage>[]
        {
            r => r.Headers.TryAddWithoutValidation("If-None-Match", ETagOf(content)),
            r => r.Headers.TryAddWithoutValidation("If-None-Match", "\"00000000\", " + ETagOf(content)),
            r => r.Headers.TryAddWithoutValidation("If-None-Match", "*"),
            r => r.Headers.IfModifiedSince = DateTimeOffset.UtcNow.AddMinutes(5),
        })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Url("/api/files" + path));
            configure(request);
            using var response = await fixture.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
            Assert.Equal(ETagOf(content), response.Headers.ETag?.ToString());
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        }

        using var stale = new HttpRequestMessage(HttpMethod.Get, Url("/api/files" + path));
        stale.Headers.TryAddWithoutValidation("If-None-Match", "\"00000000\"");
        stale.Headers.IfModifiedSince = DateTimeOffset.UtcNow.AddMinutes(5);
        using var changed = await fixture.Http.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

        using var old = new HttpRequestMessage(HttpMethod.Get, Url("/api/files" + path));
        old.Headers.IfModifiedSince = DateTimeOffset.UtcNow.AddDays(-1);
        using var modified = await fixture.Http.SendAsync(old);
        Assert.Equal(HttpStatusCode.OK, modified.StatusCode);
        Assert.Equal(content, await modified.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Upload_WithIfMatch_ReplacesOnlyTheNamedVersion()
    {
        var path = UniqueDir() + "/guarded";
        var first = Content(100, 1);
        var second = Content(100, 2);
        (await fixture.Http.PutFileAsync(path, first)).Dispose();
        var changes = fixture.Metadata.Changes;

        using var wrong = await fixture.Http.PutFileAsync(path, second, configure: r => r.Headers.TryAddWithoutValidation("If-Match", "\"deadbeef\""));
        await wrong.AssertProblemAsync(HttpStatusCode.PreconditionFailed, "precondition-failed");
        Assert.Equal(changes, fixture.Metadata.Changes);

        using var create = await fixture.Http.PutFileAsync(path, second, configure: r => r.Headers.TryAddWithoutValidation("If-None-Match", "*"));
        await create.AssertProblemAsync(HttpStatusCode.PreconditionFailed, "precondition-failed");
        Assert.Equal(changes, fixture.Metadata.Changes);

        using var right = await fixture.Http.PutFileAsync(path, second, configure: r => r.Headers.TryAddWithoutValidation("If-Match", ETagOf(first)));
        Assert.Equal(HttpStatusCode.Created, right.StatusCode);
        Assert.Equal(2, (await right.JsonAsync()).GetProperty("version").GetInt64());
        Assert.Equal(second, await fixture.Http.GetByteArrayAsync(Url("/api/files" + path)));

        using var fresh = await fixture.Http.PutFileAsync(UniqueDir() + "/new", first, configure: r => r.Headers.TryAddWithoutValidation("If-None-Match", "*"));
        Assert.Equal(HttpStatusCode.Created, fresh.StatusCode);
    }

    [Fact]
    public async Task Download_OfAnOlderVersion_ServesItsBytes()
    {
        var path = UniqueDir() + "/versioned";
        var first = Content(70000, 1);
        var second = Content(300, 2);
        (await fixture.Http.PutFileAsync(path, first)).Dispose();
        (await fixture.Http.PutFileAsync(path, second)).Dispose();

        using var v1 = await fixture.Http.GetAsync(Url($"/api/files{path}?version=1"));
        Assert.Equal(first, await v1.Content.ReadAsByteArrayAsync());
        Assert.Equal("1", v1.Headers.GetValues("X-Dfs-Version").Single());
        using var current = await fixture.Http.GetAsync(Url($"/api/files{path}"));
        Assert.Equal(second, await current.Content.ReadAsByteArrayAsync());
        Assert.Equal("2", current.Headers.GetValues("X-Dfs-Version").Single());

        using var missing = await fixture.Http.GetAsync(Url($"/api/files{path}?version=9"));
        await missing.AssertProblemAsync(HttpStatusCode.NotFound, "version-not-found");
    }

    [Fact]
    public async Task Head_AnswersTheHeadersOfAGetWithoutABody()
    {
        var path = UniqueDir() + "/head";
        var content = Content(12345);
        (await fixture.Http.PutFileAsync(path, content, "image/png")).Dispose();

        using var head = await fixture.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, Url("/api/files" + path)));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(12345, head.Content.Headers.ContentLength);
        Assert.Equal("image/png", head.Content.Headers.ContentType?.MediaType);
        Assert.Equal(ETagOf(content), head.Headers.ETag?.ToString());
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Delete_RemovesTheFileAndThenIs404()
    {
        var dir = UniqueDir();
        var path = dir + "/gone";
        (await fixture.Http.PutFileAsync(path, Content(10))).Dispose();

        using var deleted = await fixture.Http.DeleteAsync(Url("/api/files" + path));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var get = await fixture.Http.GetAsync(Url("/api/files" + path));
        await get.AssertProblemAsync(HttpStatusCode.NotFound, "not-found");
        using var again = await fixture.Http.DeleteAsync(Url("/api/files" + path));
        await again.AssertProblemAsync(HttpStatusCode.NotFound, "not-found");
        using var directory = await fixture.Http.DeleteAsync(Url("/api/files" + dir));
        await directory.AssertProblemAsync(HttpStatusCode.Conflict, "is-a-directory");
        using var read = await fixture.Http.GetAsync(Url("/api/files" + dir));
        await read.AssertProblemAsync(HttpStatusCode.Conflict, "is-a-directory");
    }

    [Fact]
    public async Task Delete_WithAStaleIfMatch_Is412AndKeepsTheFile()
    {
        var path = UniqueDir() + "/kept";
        var content = Content(10);
        (await fixture.Http.PutFileAsync(path, content)).Dispose();

        using var request = new HttpRequestMessage(HttpMethod.Delete, Url("/api/files" + path));
        request.Headers.TryAddWithoutValidation("If-Match", "\"12345678\"");
        using var refused = await fixture.Http.SendAsync(request);

        await refused.AssertProblemAsync(HttpStatusCode.PreconditionFailed, "precondition-failed");
        Assert.Equal(content, await fixture.Http.GetByteArrayAsync(Url("/api/files" + path)));
    }

    [Fact]
    public async Task Meta_OfASmallFile_SaysInline_WithNoChunks_AndTheSameETagAsChunkedContent()
    {
        var path = UniqueDir() + "/small.txt";
        var content = Content(FileGatewayFixture.InlineBytes, 5);
        using var put = await fixture.Http.PutFileAsync(path, content, "text/plain");

        var meta = await (await fixture.Http.GetAsync(Url("/api/meta" + path))).JsonAsync();

        Assert.True(meta.GetProperty("inline").GetBoolean());
        Assert.Equal(0, meta.GetProperty("chunks").GetArrayLength());
        Assert.Equal(content.Length, meta.GetProperty("size").GetInt64());
        Assert.Equal(ETagOf(content), meta.GetProperty("etag").GetString());
        Assert.Equal(ETagOf(content), put.Headers.ETag?.ToString());
        using var range = new HttpRequestMessage(HttpMethod.Get, Url("/api/files" + path));
        range.Headers.Range = new RangeHeaderValue(10, 19);
        using var partial = await fixture.Http.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(content[10..20], await partial.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Meta_ListsChunksReplicasAndVersions()
    {
        var path = UniqueDir() + "/meta.bin";
        var first = Content(Chunk + 10, 1);
        var second = Content(FileGatewayFixture.InlineBytes + 20, 2);
        (await fixture.Http.PutFileAsync(path, first, "application/x-a")).Dispose();
        (await fixture.Http.PutFileAsync(path, second, "application/x-b")).Dispose();

        var meta = await (await fixture.Http.GetAsync(Url("/api/meta" + path))).JsonAsync();
        Assert.Equal("file", meta.GetProperty("kind").GetString());
        Assert.Equal(2, meta.GetProperty("version").GetInt64());
        Assert.Equal("application/x-b", meta.GetProperty("contentType").GetString());
        Assert.Equal(ETagOf(second), meta.GetProperty("etag").GetString());
        Assert.Equal(new long[] { 2, 1 }, meta.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetInt64()));
        var chunk = Assert.Single(meta.GetProperty("chunks").EnumerateArray());
        Assert.Equal(16, chunk.GetProperty("id").GetString()!.Length);
        Assert.Equal(3, chunk.GetProperty("replicas").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, meta.GetProperty("lock").GetProperty("holder").ValueKind);

        var old = await (await fixture.Http.GetAsync(Url($"/api/meta{path}?version=1"))).JsonAsync();
        Assert.Equal(2, old.GetProperty("chunks").GetArrayLength());
        Assert.Equal(Chunk + 10, old.GetProperty("size").GetInt64());

        Assert.False(meta.GetProperty("inline").GetBoolean());
        var dir = await (await fixture.Http.GetAsync(Url("/api/meta" + path[..path.LastIndexOf('/')]))).JsonAsync();
        Assert.Equal("directory", dir.GetProperty("kind").GetString());
        Assert.Equal(0, dir.GetProperty("versions").GetArrayLength());
    }

    [Fact]
    public async Task ListFiles_ByPrefix_IsInPathOrderAndPages()
    {
        var dir = UniqueDir();
        string[] files = [$"{dir}/a.txt", $"{dir}/a/x", $"{dir}/a/y/z", $"{dir}/a0", $"{dir}/b"];
        foreach (var file in files.Reverse())
        {
            (await fixture.Http.PutFileAsync(file, Content(3))).Dispose();
        }

        var all = await (await fixture.Http.GetAsync(Url($"/api/files?prefix={dir}/"))).JsonAsync();
        Assert.Equal(files, all.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("path").GetString()));
        Assert.Equal(JsonValueKind.Null, all.GetProperty("next").ValueKind);
        Assert.Equal(ETagOf(Content(3)), all.GetProperty("items")[0].GetProperty("etag").GetString());

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await fixture.Http.GetAsync(Url($"/api/files?prefix={dir}/&limit=2" + (cursor is null ? "" : "&cursor=" + cursor)))).JsonAsync();
            Assert.True(page.GetProperty("items").GetArrayLength() <= 2);
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("path").GetString()!));
            cursor = page.GetProperty("next").GetString();
        }
        while (cursor is not null);
        Assert.Equal(files, seen);

        var only = await (await fixture.Http.GetAsync(Url($"/api/files?prefix={dir}/a/"))).JsonAsync();
        Assert.Equal(files[1..3], only.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("path").GetString()));
    }
}
