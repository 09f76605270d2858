using System.Net;
using System.Net.Http.Headers;
using Dfs.Testing;
using Dfs.Testing.Processes;
using Microsoft.Playwright;

namespace Dfs.Browser.Tests;

/// <summary>
/// One cluster of real processes (three masters, three chunk servers and a gateway process serving the console) and one
/// headless Chromium, shared by the console's test classes: starting them is most of a browser test's time.
/// </summary>
/// <remarks>Tests that stop a node start it again before they end, so the next test finds the whole cluster.</remarks>
public sealed class ConsoleCluster : IAsyncLifetime
{
    /// <summary>Generous: two cores shared with builds and other test runs; every wait ends as soon as its condition holds.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    public const float BrowserTimeoutMs = 60_000;

    private DfsProcessCluster? _cluster;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private HttpClient? _http;

    public DfsProcessCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not started.");

    /// <summary>A client of the gateway, its base address set.</summary>
    public HttpClient Http => _http ?? throw new InvalidOperationException("The cluster is not started.");

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser is not started.");

    public async Task InitializeAsync()
    {
        // The browser first: without Chromium every test fails at once, before a cluster is started for nothing.
        (_playwright, _browser) = await SystemChromium.LaunchAsync(BrowserTimeoutMs);
        Assertions.SetDefaultExpectTimeout(BrowserTimeoutMs);
        _cluster = await DfsProcessCluster.StartAsync("console-browser", new DfsProcessClusterOptions { ChunkServers = 3 });
        _http = new HttpClient { BaseAddress = _cluster.GatewayAddress, Timeout = Timeout };
        await WaitUntilWritableAsync();
    }

    /// <summary>A fresh browser context (own storage) on the gateway, at the given viewport, and a page in it.</summary>
    public async Task<(IBrowserContext Context, IPage Page)> NewPageAsync(int width = 1280, int height = 800)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Cluster.GatewayAddress.ToString(),
            AcceptDownloads = true,
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        context.SetDefaultTimeout(BrowserTimeoutMs);
        var page = await context.NewPageAsync();
        return (context, page);
    }

    /// <summary>Writes a file through the REST API (the state a test starts from, not what it tests).</summary>
    public async Task PutFileAsync(string path, byte[] data)
    {
        using var content = new ByteArrayContent(data);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await Http.PutAsync(FileUri(path), content);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"PUT {path}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The API URL of a file path such as <c>/a/b.txt</c>, each segment percent-encoded.</summary>
    public static Uri FileUri(string path) =>
        new("/api/files/" + string.Join('/', path.TrimStart('/').Split('/').Select(Uri.EscapeDataString)), UriKind.Relative);

    public static byte[] RandomBytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Waits until a leader is known and every chunk server has registered, so that a write succeeds.</summary>
    private async Task WaitUntilWritableAsync()
    {
        var last = "";
        await Eventually.WaitUntilAsync(async () =>
        {
            using var content = new ByteArrayContent([1, 2, 3]);
            using var response = await Http.PutAsync(FileUri("/.probe"), content);
            last = $"{response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            return response.StatusCode == HttpStatusCode.Created;
        }, Timeout, () => last + Environment.NewLine + Cluster.Logs(), "a first write through the gateway", TimeSpan.FromMilliseconds(200));
        using var probe = await Http.DeleteAsync(FileUri("/.probe"));
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

/// <summary>The console's test classes, run one after another on one <see cref="ConsoleCluster"/>.</summary>
[CollectionDefinition(nameof(ConsoleCluster))]
public sealed class ConsoleClusterCollection : ICollectionFixture<ConsoleCluster>;
