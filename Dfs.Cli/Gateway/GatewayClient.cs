using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dfs.Cli.Gateway.Contracts;

namespace Dfs.Cli.Gateway;

/// <summary>A typed client of the gateway's REST API (the shape in the REST interface document): one method per route.</summary>
/// <remarks>
/// Errors surface as <see cref="GatewayProblemException"/> (the gateway answered; its message is the problem's
/// <c>detail</c>) or <see cref="GatewayUnreachableException"/> (no answer: refused, reset, DNS, broken stream).
/// Bodies stream both ways; nothing reads a whole file into memory. Safe for concurrent use.
/// </remarks>
public sealed partial class GatewayClient : IDisposable
{
    /// <summary>The header that carries a lock token on writes, deletes, renewals and releases.</summary>
    public const string LockTokenHeader = "X-Dfs-Lock-Token";

    /// <summary>The header that carries the version of a downloaded file.</summary>
    public const string VersionHeader = "X-Dfs-Version";

    /// <summary>JSON as the gateway writes it: camelCase, case-insensitive on read.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const int MaxProblemBytes = 64 * 1024;

    private readonly HttpClient _http;

    /// <summary>A client of the gateway at <paramref name="baseAddress"/> (e.g. <c>http://127.0.0.1:8080</c>).</summary>
    /// <param name="handler">The handler to send with; default a pooled socket handler with a 10 s connect timeout.</param>
    public GatewayClient(Uri baseAddress, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        if (!baseAddress.IsAbsoluteUri || (baseAddress.Scheme != Uri.UriSchemeHttp && baseAddress.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The gateway address must be an absolute http or https URL, not '{baseAddress}'.", nameof(baseAddress));
        }
        // Relative routes resolve under the base only when it ends with '/' (a gateway may sit under a path prefix).
        BaseAddress = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        handler ??= new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = DecompressionMethods.None,
        };
        _http = new HttpClient(handler, disposeHandler: true)
        {
            BaseAddress = BaseAddress,
            // Transfers and lock waits take as long as they take; Ctrl+C cancels them through the token.
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>The gateway's address, ending with '/'.</summary>
    public Uri BaseAddress { get; }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private static string Query(string route, params (string Name, string? Value)[] parameters)
    {
        var query = string.Join('&', parameters.Where(p => p.Value is not null).Select(p => p.Name + "=" + Uri.EscapeDataString(p.Value!)));
        return query.Length == 0 ? route : route + "?" + query;
    }

    private static string? Number(long? value) => value?.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>An ETag as a quoted string, whether the user typed it with quotes or without.</summary>
    internal static string QuoteEtag(string etag) => etag == "*" || etag.StartsWith('"') || etag.StartsWith("W/", StringComparison.Ordinal) ? etag : "\"" + etag + "\"";

    private async Task<HttpResponseMessage> SendAsync(
        HttpRequestMessage request,
        CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead,
        Func<HttpStatusCode, bool>? acceptStatus = null)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            if (FindInChain<LocalFileException>(e) is { } local)
            {
                throw local;
            }
            throw new GatewayUnreachableException($"Cannot reach the gateway at {BaseAddress}: {Innermost(e).Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new GatewayUnreachableException($"The gateway at {BaseAddress} did not answer in time.", e);
        }

        if (response.IsSuccessStatusCode || (acceptStatus?.Invoke(response.StatusCode) ?? false))
        {
            return response;
        }
        using (response)
        {
            throw await ProblemAsync(response, cancellationToken);
        }
    }

    private async Task<T> ReadJsonAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken, Func<HttpStatusCode, bool>? acceptStatus = null)
    {
        using var response = await SendAsync(request, cancellationToken, HttpCompletionOption.ResponseContentRead, acceptStatus);
        return await ReadJsonAsync<T>(response, cancellationToken);
    }

    private async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
                ?? throw Malformed(response, "an empty JSON body");
        }
        catch (JsonException e)
        {
            throw Malformed(response, e.Message);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new GatewayUnreachableException($"The connection to the gateway at {BaseAddress} broke while reading its answer: {Innermost(e).Message}", e);
        }
    }

    private static GatewayProblemException Malformed(HttpResponseMessage response, string why) =>
        new(response.StatusCode, "about:blank", "Bad response", $"The gateway's answer to {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} is not the expected JSON ({why}).");

    private static async Task<GatewayProblemException> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ProblemDocument? problem = null;
        try
        {
            var bytes = await ReadBoundedAsync(response.Content, MaxProblemBytes, cancellationToken);
            if (bytes.Length > 0)
            {
                problem = JsonSerializer.Deserialize<ProblemDocument>(bytes, Json);
            }
        }
        catch (Exception e) when (e is JsonException or HttpRequestException or IOException)
        {
            // A body that is not a problem document still leaves the status to act on.
        }

        var status = response.StatusCode;
        var reason = response.ReasonPhrase ?? status.ToString();
        var detail = string.IsNullOrWhiteSpace(problem?.Detail)
            ? $"The gateway answered {(int)status} {reason}{(string.IsNullOrWhiteSpace(problem?.Title) ? string.Empty : ": " + problem!.Title)}."
            : problem!.Detail!;
        var retryAfter = response.Headers.RetryAfter?.Delta
            ?? (response.Headers.RetryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return new GatewayProblemException(status, problem?.Type ?? "about:blank", problem?.Title ?? reason, detail, retryAfter);
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[limit];
        var filled = 0;
        int read;
        while (filled < limit && (read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0)
        {
            filled += read;
        }
        return buffer[..filled];
    }

    private static T? FindInChain<T>(Exception? e)
        where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }
        return null;
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }
        return e;
    }
}
