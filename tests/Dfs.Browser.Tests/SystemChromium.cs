using Microsoft.Playwright;

namespace Dfs.Browser.Tests;

/// <summary>Launches the system's Chromium, headless, through Playwright (whose own browser downloads are never used).</summary>
internal static class SystemChromium
{
    /// <summary>Where the distribution's <c>chromium</c> package installs the browser (CI's <c>.ci/run</c> installs it).</summary>
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>Starts the browser; throws (failing the test, never skipping it) when it is not installed.</summary>
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync(float timeoutMs)
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"Chromium is not installed at {ExecutablePath}; the browser tests need it (apt-get install chromium, as .ci/run does).");
        }
        var playwright = await Playwright.CreateAsync();
        try
        {
            var args = new List<string> { "--disable-dev-shm-usage" };
            // Chromium refuses to start its sandbox as root (containers, CI).
            if (Environment.UserName == "root")
            {
                args.Add("--no-sandbox");
            }
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args = args,
                Timeout = timeoutMs,
            });
            return (playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }
}
