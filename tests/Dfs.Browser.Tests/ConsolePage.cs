using System.Runtime.CompilerServices;
using Microsoft.Playwright;

namespace Dfs.Browser.Tests;

/// <summary>A page of the console in its own browser context; disposing closes the context.</summary>
internal sealed class ConsolePage : IAsyncDisposable
{
    private readonly IBrowserContext _context;

    private ConsolePage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
    }

    public IPage Page { get; }

    public static async Task<ConsolePage> OpenAsync(ConsoleCluster cluster, string hash, int width = 1280, int height = 800)
    {
        var (context, page) = await cluster.NewPageAsync(width, height);
        var console = new ConsolePage(context, page);
        await page.GotoAsync("/" + hash);
        return console;
    }

    /// <summary>
    /// Runs the test's steps; when one fails, a picture of the page is left beside the test's output for whoever reads the
    /// failure, and the failure is rethrown unchanged.
    /// </summary>
    public async Task RunAsync(Func<IPage, Task> steps, [CallerMemberName] string test = "")
    {
        try
        {
            await steps(Page);
        }
        catch
        {
            await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshots.FailurePath(test), FullPage = true });
            throw;
        }
    }

    /// <summary>The listing's row of an entry, by its full path.</summary>
    public ILocator Row(string path) => Page.Locator($"#rows tr[data-path=\"{path}\"]");

    /// <summary>The modal dialog (prompts, confirmations, a file's details).</summary>
    public ILocator Dialog => Page.Locator("dialog#dialog");

    public ValueTask DisposeAsync() => _context.DisposeAsync();
}
