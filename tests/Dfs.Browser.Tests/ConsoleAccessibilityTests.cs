using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Dfs.Browser.Tests;

/// <summary>The console for keyboards and screen readers: every control is named, dialogs work from the keyboard.</summary>
[Collection(nameof(ConsoleCluster))]
public sealed class ConsoleAccessibilityTests(ConsoleCluster cluster)
{
    private const string Controls = "button, a[href], input, select, textarea, progress, [role=button], [role=meter], [role=link]";

    [Fact]
    public async Task EveryControl_OnBothPages_HasAnAccessibleName_AndTheDetailsDialogWorksFromTheKeyboard()
    {
        await cluster.PutFileAsync("/a11y/report.txt", "report"u8.ToArray());
        await cluster.Http.PutAsync(new Uri("/api/dirs/a11y/sub", UriKind.Relative), null);
        await using var console = await ConsolePage.OpenAsync(cluster, "#/files/a11y/");
        await console.RunAsync(async page =>
        {
            await Expect(console.Row("/a11y/report.txt")).ToBeVisibleAsync();
            await Expect(console.Row("/a11y/sub")).ToBeVisibleAsync();
            await ExpectEveryControlNamedAsync(page.Locator("body"));
            await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Pages" })).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Main)).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Folder contents" })).ToBeVisibleAsync();

            // The first Tab reaches the skip link.
            await page.Keyboard.PressAsync("Tab");
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" })).ToBeFocusedAsync();

            // The details open with Enter, everything in them is named, Escape closes them and focus returns.
            var details = console.Row("/a11y/report.txt").GetByRole(AriaRole.Button, new() { Name = "Details of report.txt" });
            await details.FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            await Expect(console.Dialog.GetByRole(AriaRole.Table, new() { Name = "Versions" })).ToBeVisibleAsync();
            await ExpectEveryControlNamedAsync(console.Dialog);
            await page.Keyboard.PressAsync("Escape");
            await Expect(console.Dialog).ToBeHiddenAsync();
            await Expect(details).ToBeFocusedAsync();

            // The sort buttons are announced with their order.
            var name = page.GetByRole(AriaRole.Columnheader, new() { Name = "Name" });
            await Expect(name).ToHaveAttributeAsync("aria-sort", "ascending");
            await name.GetByRole(AriaRole.Button).PressAsync("Enter");
            await Expect(name).ToHaveAttributeAsync("aria-sort", "descending");

            await page.GetByRole(AriaRole.Link, new() { Name = "Cluster", Exact = true }).ClickAsync();
            await Expect(page.Locator("#servers tr")).ToHaveCountAsync(3);
            await ExpectEveryControlNamedAsync(page.Locator("body"));
        });
    }

    /// <summary>Every visible control under <paramref name="root"/> has a non-empty accessible name.</summary>
    private static async Task ExpectEveryControlNamedAsync(ILocator root)
    {
        var controls = await root.Locator(Controls).AllAsync();
        Assert.NotEmpty(controls);
        foreach (var control in controls)
        {
            // Hidden ones (another page's, a closed dialog's) are not read out; the visually hidden file input of the page shown is.
            if (!await control.EvaluateAsync<bool>("e => !e.closest('[hidden]') && (e.type === 'file' || e.checkVisibility())"))
            {
                continue;
            }
            try
            {
                await Expect(control).ToHaveAccessibleNameAsync(new Regex(@"\S"), new() { Timeout = 5000 });
            }
            catch (PlaywrightException e)
            {
                throw new Xunit.Sdk.XunitException($"No accessible name: {await control.EvaluateAsync<string>("e => e.outerHTML")}{Environment.NewLine}{e.Message}");
            }
        }
    }
}
