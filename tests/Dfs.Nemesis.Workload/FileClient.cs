using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Dfs.Testing.Nemesis;

namespace Dfs.Nemesis.Workload;

/// <summary>
/// One client of the workload: files through the gateway's REST API, every request recorded as a
/// <see cref="HistoryLine"/>. What an answer means: a definite refusal (4xx that changes nothing) is "fail"; a
/// timeout, a lost connection or a server error is "unknown" (the request may or may not have taken effect).
/// </summary>
internal sealed class FileClient(int id, HttpClient http, HistoryWriter history)
{
    public static string PathOf(int pair, int side) => $"nemesis/p{pair}/{(side == 0 ? "a" : "b")}.bin";

    public static string HashOf(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];

    public async Task WriteAsync(int pair, int side, byte[] data, string? lockToken = null)
    {
        var hash = HashOf(data);
        var start = Stopwatch.GetTimestamp();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, "api/files/" + PathOf(pair, side)) { Content = new ByteArrayContent(data) };
            if (lockToken is not null)
            {
                request.Headers.Add("X-Dfs-Lock-Token", lockToken);
            }

            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Record("write", pair, side, hash, start, response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK ? "ok" : Refusal(response.StatusCode), (int)response.StatusCode, body);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            Record("write", pair, side, hash, start, "unknown", null, e.Message);
        }
    }

    /// <summary>Reads a path; returns the hash read (null when absent or no answer).</summary>
    public async Task<(bool Answered, string? Hash)> ReadAsync(int pair, int side)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.GetAsync("api/files/" + PathOf(pair, side));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var bytes = await response.Content.ReadAsByteArrayAsync();
                if (response.Content.Headers.ContentLength is { } length && length != bytes.Length)
                {
                    Record("read", pair, side, null, start, "fail", 200, $"body of {bytes.Length} bytes, Content-Length {length}");
                    return (false, null);
                }

                var hash = HashOf(bytes);
                Record("read", pair, side, hash, start, "ok", 200);
                return (true, hash);
            }

            var body = await response.Content.ReadAsStringAsync();
            Record("read", pair, side, null, start, response.StatusCode == HttpStatusCode.NotFound ? "absent" : "fail", (int)response.StatusCode, body);
            return (response.StatusCode == HttpStatusCode.NotFound, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            // A read that got no (whole) answer tells nothing and changed nothing.
            Record("read", pair, side, null, start, "fail", null, e.Message);
            return (false, null);
        }
    }

    public async Task DeleteAsync(int pair, int side)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.DeleteAsync("api/files/" + PathOf(pair, side));
            var body = await response.Content.ReadAsStringAsync();
            Record("delete", pair, side, null, start, Outcome(response.StatusCode, HttpStatusCode.NoContent), (int)response.StatusCode, body);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            Record("delete", pair, side, null, start, "unknown", null, e.Message);
        }
    }

    public async Task RenameAsync(int pair, int side)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.PostAsJsonAsync("api/rename", new { from = "/" + PathOf(pair, side), to = "/" + PathOf(pair, 1 - side), replace = true });
            var body = await response.Content.ReadAsStringAsync();
            Record("rename", pair, side, null, start, Outcome(response.StatusCode, HttpStatusCode.OK), (int)response.StatusCode, body);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            Record("rename", pair, side, null, start, "unknown", null, e.Message);
        }
    }

    /// <summary>Takes the path's lock, overwrites it with the token, releases the lock.</summary>
    public async Task LockedWriteAsync(int pair, int side, byte[] data)
    {
        var path = PathOf(pair, side);
        var start = Stopwatch.GetTimestamp();
        string? token = null;
        try
        {
            using var response = await http.PostAsync($"api/locks/{path}?owner=client{id}&ttl=15&wait=2", null);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.OK)
            {
                using var json = System.Text.Json.JsonDocument.Parse(body);
                token = json.RootElement.GetProperty("token").GetString();
            }

            Record("lock", pair, side, null, start, token is not null ? "ok" : Refusal(response.StatusCode), (int)response.StatusCode, token is null ? body : null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            Record("lock", pair, side, null, start, "unknown", null, e.Message);
        }

        if (token is null)
        {
            return;
        }

        await WriteAsync(pair, side, data, token);
        start = Stopwatch.GetTimestamp();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, "api/locks/" + path);
            request.Headers.Add("X-Dfs-Lock-Token", token);
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Record("unlock", pair, side, null, start, response.StatusCode == HttpStatusCode.NoContent ? "ok" : Refusal(response.StatusCode), (int)response.StatusCode, body);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            Record("unlock", pair, side, null, start, "unknown", null, e.Message);
        }
    }

    /// <summary>Refusals that change nothing; anything else (5xx, 507) may have taken effect.</summary>
    private static string Refusal(HttpStatusCode status) =>
        status is HttpStatusCode.BadRequest or HttpStatusCode.NotFound or HttpStatusCode.Conflict or HttpStatusCode.PreconditionFailed or HttpStatusCode.Locked
            ? "fail"
            : "unknown";

    private static string Outcome(HttpStatusCode status, HttpStatusCode success) =>
        status == success ? "ok" : status == HttpStatusCode.NotFound ? "absent" : Refusal(status);

    private void Record(string op, int pair, int side, string? value, long start, string result, int? status, string? error = null)
    {
        var end = result == "unknown" ? (long?)null : Stopwatch.GetTimestamp();
        var detail = result is "ok" or "absent" ? null : error is { Length: > 300 } ? error[..300] : error;
        history.Write(new HistoryLine(id, op, pair, side, value, start, end, result, status, detail).ToJson());
    }
}
