using System.Net;
using System.Net.Sockets;
using System.Text;
using static Dfs.Gateway.Tests.Http.HttpTestExtensions;

namespace Dfs.Gateway.Tests.Http;

/// <summary>Every bad input is a 4xx problem with a sentence, and changes nothing.</summary>
public sealed class BadInputTests(FileGatewayFixture fixture) : IClassFixture<FileGatewayFixture>
{
    public static TheoryData<string, string, string?, string?, int, string> Cases() => new()
    {
        // method, raw target, header "Name: value", body, status, problem slug
        { "PUT", "/api/files/a/../b", null, "x", 400, "invalid-path" },
        { "PUT", "/api/files/a/%2E%2E/b", null, "x", 400, "invalid-path" },
        { "PUT", "/api/files/a/./b", null, "x", 400, "invalid-path" },
        { "PUT", "/api/files/a//b", null, "x", 400, "invalid-path" },
        { "PUT", "/api/files/a/b/", null, "x", 400, "invalid-path" },
        { "POST", "/api/rename", "Content-Type: application/json", "{ \"from\": \"/a\\u0000b\", \"to\": \"/b\" }", 400, "invalid-path" },
        { "PUT", "/api/files/" + new string('n', 256), null, "x", 400, "invalid-path" },
        { "PUT", "/api/files/" + string.Join('/', Enumerable.Repeat(new string('d', 200), 21)), null, "x", 400, "invalid-path" },
        { "PUT", "/api/files/%FF%FE", null, "x", 400, "invalid-path" },
        { "PUT", "/api/files/a%zz", null, "x", 400, "invalid-path" },
        { "PUT", "/api/files/", null, "x", 400, "invalid-path" },
        { "PUT", "/api/files/ok", "If-Match: not-quoted", "x", 400, "invalid-argument" },
        { "PUT", "/api/files/ok", "If-None-Match: \"abc\"", "x", 400, "invalid-argument" },
        { "PUT", "/api/files/ok", "X-Dfs-Lock-Token: !!!", "x", 400, "invalid-argument" },
        { "GET", "/api/files/a?version=abc", null, null, 400, "invalid-argument" },
        { "GET", "/api/files/a?version=0", null, null, 400, "invalid-argument" },
        { "GET", "/api/files/a?version=-3", null, null, 400, "invalid-argument" },
        { "GET", "/api/files?limit=0", null, null, 400, "invalid-argument" },
        { "GET", "/api/files?limit=10001", null, null, 400, "invalid-argument" },
        { "GET", "/api/files?prefix=nodash", null, null, 400, "invalid-argument" },
        { "GET", "/api/files?cursor=%21%21", null, null, 400, "invalid-argument" },
        { "GET", "/api/dirs/?limit=x", null, null, 400, "invalid-argument" },
        { "GET", "/api/dirs/?after=a%2Fb", null, null, 400, "invalid-path" },
        { "DELETE", "/api/dirs/a?recursive=maybe", null, null, 400, "invalid-argument" },
        { "DELETE", "/api/dirs/", null, null, 400, "invalid-path" },
        { "POST", "/api/rename", "Content-Type: application/json", "{ not json", 400, "invalid-argument" },
        { "POST", "/api/rename", "Content-Type: application/json", "{ \"from\": \"/a\" }", 400, "invalid-argument" },
        { "POST", "/api/rename", "Content-Type: application/json", "{ \"from\": \"a\", \"to\": \"/b\" }", 400, "invalid-path" },
        { "POST", "/api/rename", "Content-Type: application/json", "{ \"from\": \"/a\", \"to\": \"/b/../c\" }", 400, "invalid-path" },
        { "POST", "/api/rename", "Content-Type: application/json", "[1, 2]", 400, "invalid-argument" },
        { "POST", "/api/rename", "Content-Type: text/plain", "{}", 415, "invalid-argument" },
        { "POST", "/api/locks/a", null, null, 400, "invalid-argument" },
        { "POST", "/api/locks/a?owner=me&ttl=0", null, null, 400, "invalid-argument" },
        { "POST", "/api/locks/a?owner=me&ttl=3601", null, null, 400, "invalid-argument" },
        { "POST", "/api/locks/a?owner=me&wait=301", null, null, 400, "invalid-argument" },
        { "POST", "/api/locks/a?owner=me&wait=x", null, null, 400, "invalid-argument" },
        { "DELETE", "/api/locks/a", null, null, 400, "invalid-argument" },
        { "GET", "/api/meta/a?version=x", null, null, 400, "invalid-argument" },
        { "GET", "/api/nothing-here", null, null, 404, "not-found" },
        { "GET", "/no-such-route", null, null, 404, "not-found" },
        { "PATCH", "/api/files/a", null, null, 405, "method-not-allowed" },
        { "PUT", "/api/rename", null, null, 405, "method-not-allowed" },
        { "POST", "/api/cluster/chunkservers/bad%20id/drain", null, null, 400, "invalid-argument" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadInput_IsAProblemWithADetailAndChangesNothing(string method, string target, string? header, string? body, int status, string slug)
    {
        var changes = fixture.Metadata.Changes;
        var allocations = fixture.Metadata.Allocations;

        var (code, contentType, text) = await RawRequestAsync(method, target, header, body);

        Assert.True(code == status, $"{method} {target}: expected {status}, got {code}: {text}");
        Assert.Equal("application/problem+json", contentType);
        Assert.Contains($"\"type\":\"https://dfs.dev/problems/{slug}\"", text, StringComparison.Ordinal);
        Assert.Matches("\"detail\":\"[^\"]{10,}", text);
        Assert.Equal(changes, fixture.Metadata.Changes);
        Assert.Equal(allocations, fixture.Metadata.Allocations);
    }

    [Fact]
    public async Task EncodedNulInATarget_IsRefusedBeforeAnyRoute()
    {
        var changes = fixture.Metadata.Changes;

        // Kestrel itself refuses a target whose decoding holds NUL, with a bare 400, before the gateway sees it.
        var (code, _, _) = await RawRequestAsync("PUT", "/api/files/a%00b", null, "x");

        Assert.Equal(400, code);
        Assert.Equal(changes, fixture.Metadata.Changes);
    }

    /// <summary>
    /// Sends the request target exactly as written (HttpClient would normalise dot segments and escapes), over a plain
    /// socket, and reads the answer's status, media type and body.
    /// </summary>
    private async Task<(int Status, string? ContentType, string Body)> RawRequestAsync(string method, string target, string? header, string? body)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(fixture.Gateway.Address.Host, fixture.Gateway.Address.Port);
        await using var stream = client.GetStream();
        var bytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
        var request = new StringBuilder()
            .Append(method).Append(' ').Append(target).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(fixture.Gateway.Address.Authority).Append("\r\n")
            .Append("Connection: close\r\n")
            .Append("Content-Length: ").Append(bytes.Length).Append("\r\n");
        if (header is not null)
        {
            request.Append(header).Append("\r\n");
        }
        request.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()));
        await stream.WriteAsync(bytes);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        var answer = buffer.ToArray();
        var headEnd = answer.AsSpan().IndexOf("\r\n\r\n"u8);
        var head = Encoding.ASCII.GetString(answer, 0, headEnd).Split("\r\n");
        var status = int.Parse(head[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var contentType = head.Skip(1).Select(h => h.Split(':', 2)).Where(p => p[0].Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            .Select(p => p[1].Trim().Split(';')[0]).FirstOrDefault();
        var content = answer.AsSpan(headEnd + 4).ToArray();
        if (head.Any(h => h.StartsWith("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase)))
        {
            content = Unchunk(content);
        }
        return (status, contentType, Encoding.UTF8.GetString(content));
    }

    private static byte[] Unchunk(byte[] chunked)
    {
        var result = new MemoryStream();
        var at = 0;
        while (true)
        {
            var lineEnd = at + chunked.AsSpan(at).IndexOf("\r\n"u8);
            var size = Convert.ToInt32(Encoding.ASCII.GetString(chunked, at, lineEnd - at).Split(';')[0], 16);
            if (size == 0)
            {
                return result.ToArray();
            }
            result.Write(chunked, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
    }
}
