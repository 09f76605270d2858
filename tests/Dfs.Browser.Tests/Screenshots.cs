namespace Dfs.Browser.Tests;

/// <summary>Where the browser tests write their pictures.</summary>
internal static class Screenshots
{
    /// <summary>
    /// Where a screenshot goes: the repository's docs/screenshots when <c>DFS_UPDATE_SCREENSHOTS=1</c> (to refresh the
    /// pictures the README links), else the test's output folder, so that a test run leaves the checkout unchanged.
    /// </summary>
    public static string PathOf(string name)
    {
        if (Environment.GetEnvironmentVariable("DFS_UPDATE_SCREENSHOTS") != "1")
        {
            return Path.Combine(Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName, name);
        }
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Dfs.sln")))
        {
            folder = folder.Parent;
        }
        if (folder is null)
        {
            throw new InvalidOperationException($"No Dfs.sln above {AppContext.BaseDirectory}, so no docs/screenshots to write to.");
        }
        var screenshots = Directory.CreateDirectory(Path.Combine(folder.FullName, "docs", "screenshots"));
        return Path.Combine(screenshots.FullName, name);
    }

    /// <summary>Where a failing test leaves a picture of its page, beside the test's output.</summary>
    public static string FailurePath(string testName) =>
        Path.Combine(Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "failures")).FullName, testName + ".png");
}
