using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Dfs.Browser.Tests;

/// <summary>
/// Swagger UI at <c>/swagger</c>, driven in a real (headless) Chromium: a file is uploaded through the PUT operation's file
/// picker and downloaded through the GET operation's "Download file" link, over a real cluster behind the gateway.
/// </summary>
public sealed class SwaggerUiFileTests
{
    // Generous: two cores shared with builds and other test runs; every wait below ends as soon as its element appears.
    private static readonly TimeSpan ClusterTimeout = TimeSpan.FromSeconds(90);
    private const float BrowserTimeoutMs = 90_000;

    [Fact]
    public async Task SwaggerUi_UploadsAFileThroughThePicker_AndDownloadsTheSameBytes()
    {
        // The browser first: without Chromium the test fails at once, before a cluster is started for nothing.
        var (playwright, browser) = await SystemChromium.LaunchAsync(BrowserTimeoutMs);
        using var _ = playwright;
        await using var __ = browser;
        await using var gateway = await ClusterWithGateway.StartAsync(ClusterTimeout);
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = gateway.Address.ToString(),
            AcceptDownloads = true,
            ViewportSize = new ViewportSize { Width = 1280, Height = 1000 },
        });
        context.SetDefaultTimeout(BrowserTimeoutMs);
        var page = await context.NewPageAsync();

        // Bytes of every value (not text), over more than one 64 KiB buffer.
        var content = new byte[200_000];
        new Random(20261203).NextBytes(content);
        var localFile = Path.Combine(Path.GetTempPath(), $"dfs-swagger-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(localFile, content);
        const string DfsPath = "browser/swagger-upload.bin";
        try
        {
            await page.GotoAsync("/swagger");

            // Upload: PUT /api/files/{path}, whose binary body Swagger UI offers as a file picker.
            var upload = await OpenTryItOutAsync(page, "UploadFile");
            await upload.Locator("tr[data-param-name='path'] input").FillAsync(DfsPath);
            await upload.Locator("input[type='file']").SetInputFilesAsync(localFile);
            await upload.Locator("button.execute").ClickAsync();
            await ExpectResponseStatusAsync(upload, 201);
            await upload.ScreenshotAsync(new LocatorScreenshotOptions { Path = Screenshots.PathOf("swagger-upload.png") });

            using (var response = await gateway.Http.GetAsync(new Uri("/api/files/" + DfsPath, UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
            }

            // Download: GET /api/files/{path}; a binary response is offered as a "Download file" link.
            var download = await OpenTryItOutAsync(page, "DownloadFile");
            await download.Locator("tr[data-param-name='path'] input").FillAsync(DfsPath);
            await download.Locator("button.execute").ClickAsync();
            await ExpectResponseStatusAsync(download, 200);
            var link = download.Locator(".live-responses-table").GetByRole(AriaRole.Link, new() { Name = "Download file" });
            await Expect(link).ToBeVisibleAsync(new() { Timeout = BrowserTimeoutMs });
            var fileDownload = await page.RunAndWaitForDownloadAsync(() => link.ClickAsync(),
                new PageRunAndWaitForDownloadOptions { Timeout = BrowserTimeoutMs });
            var downloadedPath = await fileDownload.PathAsync();
            Assert.Equal(content, await File.ReadAllBytesAsync(downloadedPath));
        }
        catch
        {
            // What the page showed when it went wrong, next to the test's output, for whoever reads the failure.
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "swagger-failure.png"), FullPage = true });
            throw;
        }
        finally
        {
            File.Delete(localFile);
        }
    }

    /// <summary>Expands the operation (by its operationId, in the Files tag) and presses "Try it out".</summary>
    private static async Task<ILocator> OpenTryItOutAsync(IPage page, string operationId)
    {
        var operation = page.Locator($"#operations-Files-{operationId}");
        await operation.Locator(".opblock-summary").First.ClickAsync();
        await operation.Locator("button.try-out__btn").ClickAsync();
        await Expect(operation.Locator("button.execute")).ToBeVisibleAsync(new() { Timeout = BrowserTimeoutMs });
        return operation;
    }

    /// <summary>Waits for the operation's "Server response" table to show <paramref name="status"/>.</summary>
    private static Task ExpectResponseStatusAsync(ILocator operation, int status) =>
        Expect(operation.Locator(".live-responses-table tr.response > td.response-col_status"))
            .ToHaveTextAsync(new Regex($"^\\s*{status}\\b"), new() { Timeout = BrowserTimeoutMs });
}
