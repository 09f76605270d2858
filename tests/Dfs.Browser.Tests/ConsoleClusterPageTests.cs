using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Dfs.Browser.Tests;

/// <summary>The console's cluster page over real processes: it refreshes itself and follows a leader SIGKILLed under it.</summary>
[Collection(nameof(ConsoleCluster))]
public sealed class ConsoleClusterPageTests(ConsoleCluster cluster, ITestOutputHelper output)
{
    /// <summary>
    /// The page's goal is two seconds from the kill (election about 0.3-1 s here, a poll every 0.5 s); the bound asserted is
    /// looser because the two cores are shared with builds and other tests, and the time measured is printed.
    /// </summary>
    private static readonly TimeSpan MaxTimeToShowTheNewLeader = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task LeaderProcess_Sigkilled_TheNewLeaderAppearsOnThePage_AndTheTimelineRecordsTheChange()
    {
        var leader = await cluster.Cluster.WaitForLeaderAsync(ConsoleCluster.Timeout);
        await using var console = await ConsolePage.OpenAsync(cluster, "#/cluster");
        await console.RunAsync(async page =>
        {
            await Expect(page.Locator("#leader")).ToHaveAttributeAsync("data-leader", leader);
            await Expect(page.Locator($"#masters tr[data-master='{leader}']")).ToHaveAttributeAsync("data-role", "Leader");
            await Expect(page.Locator("#masters tr")).ToHaveCountAsync(3);
            await Expect(page.Locator("#servers tr[data-state='alive']")).ToHaveCountAsync(3);
            await Expect(page.GetByRole(AriaRole.Meter, new() { Name = "Space used on c1" })).ToBeVisibleAsync();

            // SIGKILL by the process's own handle; the page is not touched, it refreshes itself.
            var clock = Stopwatch.StartNew();
            await cluster.Cluster.KillAsync(leader);
            await Expect(page.Locator("#leader")).ToHaveAttributeAsync("data-leader", new Regex($"^(?!{leader}$)m\\d+$"),
                new() { Timeout = (float)ConsoleCluster.Timeout.TotalMilliseconds });
            var shown = clock.Elapsed;
            var successor = await page.Locator("#leader").GetAttributeAsync("data-leader");
            output.WriteLine($"killed {leader}; the page showed {successor} leading {shown.TotalMilliseconds:F0} ms later");
            Assert.True(shown < MaxTimeToShowTheNewLeader, $"the page took {shown.TotalMilliseconds:F0} ms to show a new leader");

            await Expect(page.Locator($"#masters tr[data-master='{leader}']")).ToHaveAttributeAsync("data-role", "unreachable");
            await Expect(page.Locator($"#masters tr[data-master='{successor}']")).ToHaveAttributeAsync("data-role", "Leader");
            await Expect(page.GetByRole(AriaRole.List, new() { Name = "Leader changes" }).Locator($"li[data-to='{successor}']"))
                .ToContainTextAsync($"→ {successor}");

            // The killed master comes back from its files, and the page shows it following.
            await cluster.Cluster.RestartAsync(leader);
            await Expect(page.Locator($"#masters tr[data-master='{leader}']")).ToHaveAttributeAsync("data-role", "Follower",
                new() { Timeout = (float)ConsoleCluster.Timeout.TotalMilliseconds });
        });
    }
}
