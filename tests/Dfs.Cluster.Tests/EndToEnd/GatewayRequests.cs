using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Dfs.Testing;
using Dfs.Testing.Processes;

namespace Dfs.Cluster.Tests.EndToEnd;

/// <summary>Requests the end-to-end fault tests make to a process cluster's gateway.</summary>
internal static class GatewayRequests
{
    public static Uri FileUri(string path) => new($"/api/files/{path}", UriKind.Relative);

    /// <summary>Waits until a leader is known and enough chunk servers have registered for a write to succeed.</summary>
    public static async Task WaitUntilWritableAsync(HttpClient http, DfsProcessCluster cluster, TimeSpan timeout)
    {
        var last = "";
        await Eventually.WaitUntilAsync(async () =>
        {
            try
            {
                // Larger than the cluster's inline threshold, so the probe goes through the chunk servers.
                using var response = await http.PutAsync(FileUri(".probe"), Binary(new byte[cluster.Config.InlineFileBytes + 1]));
                last = $"{response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                return response.StatusCode == HttpStatusCode.Created;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
                return false;
            }
        }, timeout, () => last + Environment.NewLine + cluster.Logs(), "a first write through the gateway", TimeSpan.FromMilliseconds(200));
    }

    /// <summary>The ids of the chunk servers holding each chunk of <paramref name="path"/>, in the order a reader tries them.</summary>
    public static async Task<List<List<string>>> ReplicaHoldersAsync(HttpClient http, string path)
    {
        using var meta = JsonDocument.Parse(await http.GetStringAsync(new Uri($"/api/meta/{path}", UriKind.Relative)));
        return meta.RootElement.GetProperty("chunks").EnumerateArray()
            .Select(c => c.GetProperty("replicas").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToList())
            .ToList();
    }

    public static ByteArrayContent Binary(byte[] data)
    {
        var content = new ByteArrayContent(data);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    public static byte[] RandomBytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>The first byte where two arrays differ, for a failure message.</summary>
    public static string Difference(byte[] expected, byte[] actual)
    {
        var common = Math.Min(expected.Length, actual.Length);
        var at = 0;
        while (at < common && expected[at] == actual[at])
        {
            at++;
        }
        return $"expected {expected.Length} B, got {actual.Length} B, first difference at byte {at}";
    }
}
