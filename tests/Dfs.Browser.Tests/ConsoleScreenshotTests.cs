using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Dfs.Browser.Tests;

/// <summary>
/// Both pages at a desktop's and a phone's width: nothing is wider than the screen, and the pictures the README links
/// (docs/screenshots/console-*.png, rewritten when DFS_UPDATE_SCREENSHOTS=1) are taken.
/// </summary>
[Collection(nameof(ConsoleCluster))]
public sealed class ConsoleScreenshotTests(ConsoleCluster cluster)
{
    [Theory]
    [InlineData("desktop", 1280, 800)]
    [InlineData("phone", 390, 844)]
    public async Task BothPages_FitTheWidth_AndAreCaptured(string device, int width, int height)
    {
        await cluster.Http.PutAsync(new Uri("/api/dirs/projects/dfs/design", UriKind.Relative), null);
        await cluster.PutFileAsync("/projects/dfs/README.md", "# Dfs"u8.ToArray());
        await cluster.PutFileAsync("/projects/dfs/cluster-2026.tar.gz", ConsoleCluster.RandomBytes(1536 * 1024, seed: 6));
        await cluster.PutFileAsync("/projects/dfs/notes.txt", ConsoleCluster.RandomBytes(812, seed: 7));
        var photo = ConsoleCluster.RandomBytes(350_000, seed: 8);
        await using var console = await ConsolePage.OpenAsync(cluster, "#/files/projects/dfs/", width, height);
        await console.RunAsync(async page =>
        {
            await Expect(console.Row("/projects/dfs/notes.txt")).ToBeVisibleAsync();
            var chooser = await page.RunAndWaitForFileChooserAsync(
                () => page.GetByRole(AriaRole.Button, new() { Name = "Upload files" }).ClickAsync());
            await chooser.SetFilesAsync(new FilePayload { Name = $"photo-{device}.jpg", MimeType = "image/jpeg", Buffer = photo });
            await Expect(page.Locator($"#upload-list li[data-path='/projects/dfs/photo-{device}.jpg']")).ToHaveAttributeAsync("data-state", "done");
            await Expect(console.Row($"/projects/dfs/photo-{device}.jpg")).ToBeVisibleAsync();
            await ExpectNoSidewaysScrollAsync(page);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathOf($"console-files-{device}.png") });

            await page.GetByRole(AriaRole.Link, new() { Name = "Cluster", Exact = true }).ClickAsync();
            await Expect(page.Locator("#servers tr[data-state='alive']")).ToHaveCountAsync(3);
            await Expect(page.Locator("#leader")).ToHaveAttributeAsync("data-leader", new System.Text.RegularExpressions.Regex(@"^m\d+$"));
            await ExpectNoSidewaysScrollAsync(page);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.PathOf($"console-cluster-{device}.png"), FullPage = true });
        });
    }

    private static async Task ExpectNoSidewaysScrollAsync(IPage page)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        Assert.True(widths[0] <= widths[1], $"the page is {widths[0]} px wide in a {widths[1]} px viewport");
    }
}
