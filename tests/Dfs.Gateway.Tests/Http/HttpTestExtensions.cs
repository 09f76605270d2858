using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Dfs.Common.Hashing;

namespace Dfs.Gateway.Tests.Http;

/// <summary>Small helpers for the route tests: uploads, problem checks, test content.</summary>
internal static class HttpTestExtensions
{
    /// <summary>A path of its own for one test (so tests sharing a gateway never meet).</summary>
    public static string UniqueDir() => "/t" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Deterministic bytes that differ at every offset of a chunk.</summary>
    public static byte[] Content(int size, int seed = 1)
    {
        var bytes = new byte[size];
        new Random(seed * 7919 + size).NextBytes(bytes);
        return bytes;
    }

    public static string ETagOf(byte[] content) => $"\"{Crc32C.Compute(content):x8}\"";

    public static Uri Url(string relative) => new(relative, UriKind.Relative);

    public static async Task<HttpResponseMessage> PutFileAsync(this HttpClient http, string path, byte[] content, string? contentType = null,
        Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, Url("/api/files" + path)) { Content = new ByteArrayContent(content) };
        if (contentType is not null)
        {
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        configure?.Invoke(request);
        return await http.SendAsync(request);
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    /// <summary>Asserts an RFC 7807 answer with the status, the problem type's slug and a detail sentence.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string slug)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement.Clone();
        Assert.Equal("https://dfs.dev/problems/" + slug, root.GetProperty("type").GetString());
        Assert.Equal((int)status, root.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("title").GetString()), body);
        var detail = root.GetProperty("detail").GetString();
        Assert.True(detail is { Length: > 10 }, $"no detail sentence: {body}");
        return root;
    }
}
