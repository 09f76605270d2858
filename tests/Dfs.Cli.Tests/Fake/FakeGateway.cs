using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Dfs.Cli.Tests.Fake;

/// <summary>
/// A small gateway that answers the REST interface over an in-memory namespace, on Kestrel (real HTTP, an OS-picked port),
/// so the command line can be tested before and apart from the real gateway.
/// </summary>
/// <remarks>Faults for the error tests: <see cref="Unavailable"/> (503 no-leader), <see cref="ForcedStatus"/>, <see cref="BreakDownloadsAfterBytes"/>.</remarks>
internal sealed partial class FakeGateway : IAsyncDisposable
{
    private const int ChunkSize = 64 * 1024 * 1024;

    private readonly WebApplication _app;

    private FakeGateway(WebApplication app, FakeFileSystem files)
    {
        _app = app;
        Files = files;
    }

    /// <summary>The address to pass to <c>--gateway</c>.</summary>
    public string Url { get; private set; } = string.Empty;

    public FakeFileSystem Files { get; }

    /// <summary>Every API request and the health check answer 503 (no leader).</summary>
    public bool Unavailable { get; set; }

    /// <summary>Every API request answers this status as a problem (e.g. 500, 507).</summary>
    public int? ForcedStatus { get; set; }

    /// <summary>A download sends this many bytes, then the connection is cut.</summary>
    public long? BreakDownloadsAfterBytes { get; set; }

    public static async Task<FakeGateway> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var gateway = new FakeGateway(app, new FakeFileSystem(TimeProvider.System));
        gateway.Map(app);
        await app.StartAsync();
        gateway.Url = app.Urls.Single();
        return gateway;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static int Limit(HttpRequest request)
    {
        var text = request.Query["limit"].ToString();
        if (text.Length == 0)
        {
            return 1000;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit is >= 1 and <= 10000
            ? limit
            : throw Problem.Invalid("limit is between 1 and 10000.");
    }

    private static long? VersionOf(HttpRequest request) =>
        request.Query["version"].ToString() is { Length: > 0 } text
            ? long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= 1 ? v : throw Problem.Invalid("version is a positive integer.")
            : null;

    private static string? Header(HttpRequest request, string name) => request.Headers[name].ToString() is { Length: > 0 } value ? value : null;

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var isApi = context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal);
            if (Unavailable && isApi)
            {
                context.Response.Headers.RetryAfter = "1";
                await new Problem(503, "no-leader", "No master is the leader right now; the gateway gave up after its retries. Try again shortly.").ToResult().ExecuteAsync(context);
                return;
            }
            if (ForcedStatus is { } status && isApi)
            {
                await new Problem(status, status == 507 ? "insufficient-storage" : "unavailable", $"The fake gateway was told to answer {status}.").ToResult().ExecuteAsync(context);
                return;
            }
            try
            {
                await next(context);
            }
            catch (Problem problem)
            {
                await problem.ToResult().ExecuteAsync(context);
            }
        });
        MapFiles(app);
        MapDirectories(app);
        MapLocks(app);
        MapCluster(app);
    }
}
