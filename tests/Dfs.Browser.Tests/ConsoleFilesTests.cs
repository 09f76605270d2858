using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Dfs.Browser.Tests;

/// <summary>The console's files page, driven in a real Chromium over a cluster of real processes.</summary>
[Collection(nameof(ConsoleCluster))]
public sealed class ConsoleFilesTests(ConsoleCluster cluster)
{
    [Fact]
    public async Task Upload_ThroughThePicker_ListsEveryFile_AndItsDownloadIsTheSameBytes()
    {
        using var create = await cluster.Http.PutAsync(new Uri("/api/dirs/picker", UriKind.Relative), null);
        // Several chunks (1 MiB each in this cluster) and a small one, picked together.
        var big = ConsoleCluster.RandomBytes(2 * 1024 * 1024 + 12345, seed: 1);
        var small = ConsoleCluster.RandomBytes(5000, seed: 2);
        var folder = Directory.CreateTempSubdirectory("dfs-console-");
        var bigFile = Path.Combine(folder.FullName, "big.bin");
        var smallFile = Path.Combine(folder.FullName, "small notes.txt");
        await File.WriteAllBytesAsync(bigFile, big);
        await File.WriteAllBytesAsync(smallFile, small);
        await using var console = await ConsolePage.OpenAsync(cluster, "#/files/picker/");
        try
        {
            await console.RunAsync(async page =>
            {
                var chooser = await page.RunAndWaitForFileChooserAsync(
                    () => page.GetByRole(AriaRole.Button, new() { Name = "Upload files" }).ClickAsync());
                Assert.True(chooser.IsMultiple, "the picker takes several files");
                await chooser.SetFilesAsync([bigFile, smallFile]);

                foreach (var path in new[] { "/picker/big.bin", "/picker/small notes.txt" })
                {
                    var upload = page.Locator($"#upload-list li[data-path=\"{path}\"]");
                    await Expect(upload.GetByRole(AriaRole.Progressbar)).ToHaveCountAsync(1);
                    await Expect(upload).ToHaveAttributeAsync("data-state", "done");
                    await Expect(upload).ToContainTextAsync("Uploaded · v1");
                }
                await Expect(console.Row("/picker/big.bin")).ToContainTextAsync("2.01 MiB");
                await Expect(console.Row("/picker/small notes.txt")).ToContainTextAsync("4.88 KiB");
                await Expect(console.Row("/picker/small notes.txt")).ToContainTextAsync("v1");

                var download = await page.RunAndWaitForDownloadAsync(() =>
                    console.Row("/picker/big.bin").GetByRole(AriaRole.Link, new() { Name = "Download big.bin" }).ClickAsync());
                Assert.Equal("big.bin", download.SuggestedFilename);
                Assert.Equal(big, await File.ReadAllBytesAsync(await download.PathAsync()));
            });
        }
        finally
        {
            folder.Delete(recursive: true);
        }
        using var stored = await cluster.Http.GetAsync(ConsoleCluster.FileUri("/picker/small notes.txt"));
        Assert.Equal(small, await stored.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Folder_IsCreated_AFileIsMovedIntoIt_AndBothAreDeletedAfterConfirmation()
    {
        var data = ConsoleCluster.RandomBytes(3000, seed: 3);
        await cluster.PutFileAsync("/moving/note.txt", data);
        await using var console = await ConsolePage.OpenAsync(cluster, "#/files/moving/");
        await console.RunAsync(async page =>
        {
            // Create a folder; Enter submits the dialog.
            await page.GetByRole(AriaRole.Button, new() { Name = "New folder" }).ClickAsync();
            await page.GetByLabel("Name of the folder to make in /moving").FillAsync("archive");
            await page.Keyboard.PressAsync("Enter");
            await Expect(console.Row("/moving/archive")).ToHaveAttributeAsync("data-kind", "directory");

            // Move the file into it.
            await console.Row("/moving/note.txt").GetByRole(AriaRole.Button, new() { Name = "Rename or move note.txt" }).ClickAsync();
            await page.GetByLabel("New path").FillAsync("/moving/archive/note.txt");
            await console.Dialog.GetByRole(AriaRole.Button, new() { Name = "Move", Exact = true }).ClickAsync();
            await Expect(console.Row("/moving/note.txt")).ToHaveCountAsync(0);
            using (var moved = await cluster.Http.GetAsync(ConsoleCluster.FileUri("/moving/archive/note.txt")))
            {
                Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
                Assert.Equal(data, await moved.Content.ReadAsByteArrayAsync());
            }

            // Into the folder through its link; the breadcrumbs follow.
            await console.Row("/moving/archive").GetByRole(AriaRole.Link, new() { Name = "archive" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Folder path" }).Locator("[aria-current=page]")).ToHaveTextAsync("archive");
            await Expect(console.Row("/moving/archive/note.txt")).ToBeVisibleAsync();

            // Delete the file: nothing happens until the confirmation.
            await console.Row("/moving/archive/note.txt").GetByRole(AriaRole.Button, new() { Name = "Delete note.txt" }).ClickAsync();
            await Expect(console.Dialog).ToContainTextAsync("/moving/archive/note.txt and every kept version of it will be deleted.");
            using (var stillThere = await cluster.Http.GetAsync(ConsoleCluster.FileUri("/moving/archive/note.txt")))
            {
                Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
            }
            await console.Dialog.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
            await Expect(console.Row("/moving/archive/note.txt")).ToHaveCountAsync(0);
            await Expect(page.Locator("#empty")).ToContainTextAsync("This folder is empty.");
            using (var gone = await cluster.Http.GetAsync(ConsoleCluster.FileUri("/moving/archive/note.txt")))
            {
                Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
            }

            // Back up through the breadcrumbs, and delete the folder.
            await page.GetByRole(AriaRole.Navigation, new() { Name = "Folder path" }).GetByRole(AriaRole.Link, new() { Name = "moving" }).ClickAsync();
            await console.Row("/moving/archive").GetByRole(AriaRole.Button, new() { Name = "Delete archive" }).ClickAsync();
            await console.Dialog.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
            await Expect(console.Row("/moving/archive")).ToHaveCountAsync(0);
            using var dir = await cluster.Http.GetAsync(new Uri("/api/dirs/moving/archive", UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, dir.StatusCode);
        });
    }

    [Fact]
    public async Task Upload_OfANameTheApiRefuses_ShowsTheApisOwnSentence()
    {
        using var create = await cluster.Http.PutAsync(new Uri("/api/dirs/refused", UriKind.Relative), null);
        var name = new string('n', 300) + ".txt";
        var data = "hello"u8.ToArray();
        // What the API says about this very upload, asked directly.
        string detail;
        using (var direct = await cluster.Http.PutAsync(ConsoleCluster.FileUri("/refused/" + name), new ByteArrayContent(data)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, direct.StatusCode);
            using var problem = JsonDocument.Parse(await direct.Content.ReadAsStringAsync());
            detail = problem.RootElement.GetProperty("detail").GetString()!;
        }
        Assert.Contains("255", detail, StringComparison.Ordinal);

        await using var console = await ConsolePage.OpenAsync(cluster, "#/files/refused/");
        await console.RunAsync(async page =>
        {
            var chooser = await page.RunAndWaitForFileChooserAsync(
                () => page.GetByRole(AriaRole.Button, new() { Name = "Upload files" }).ClickAsync());
            await chooser.SetFilesAsync(new FilePayload { Name = name, MimeType = "text/plain", Buffer = data });

            var upload = page.Locator($"#upload-list li[data-path=\"/refused/{name}\"]");
            await Expect(upload).ToHaveAttributeAsync("data-state", "failed");
            await Expect(upload.Locator(".upload-status")).ToHaveTextAsync(detail);
            await Expect(page.Locator("#toasts")).ToContainTextAsync(detail);
            await Expect(page.Locator("#rows tr")).ToHaveCountAsync(0);
        });
    }

    [Fact]
    public async Task Details_ListVersionsAndChunkReplicas_DownloadAnOldVersion_AndLockAndUnlockShowingTheHolder()
    {
        var first = ConsoleCluster.RandomBytes(1024 * 1024 + 100, seed: 4);
        var second = ConsoleCluster.RandomBytes(2000, seed: 5);
        await cluster.PutFileAsync("/details/data.bin", first);
        await cluster.PutFileAsync("/details/data.bin", second);
        using var meta = JsonDocument.Parse(await cluster.Http.GetStringAsync(new Uri("/api/meta/details/data.bin", UriKind.Relative)));
        var replicas = meta.RootElement.GetProperty("chunks").EnumerateArray()
            .Select(c => c.GetProperty("replicas").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).Order().ToArray())
            .ToArray();

        await using var console = await ConsolePage.OpenAsync(cluster, "#/files/details/");
        await console.RunAsync(async page =>
        {
            await console.Row("/details/data.bin").GetByRole(AriaRole.Button, new() { Name = "Details of data.bin" }).ClickAsync();
            var dialog = console.Dialog;
            await Expect(dialog.GetByRole(AriaRole.Heading, new() { Name = "data.bin" })).ToBeVisibleAsync();

            var versions = dialog.GetByRole(AriaRole.Table, new() { Name = "Versions" });
            await Expect(versions.Locator("tbody tr")).ToHaveCountAsync(2);
            await Expect(versions.Locator("tr[data-version='2']")).ToContainTextAsync("current");

            // The chunks of the current version, each with the replicas the API lists.
            var chunks = dialog.GetByRole(AriaRole.Table, new() { Name = "Chunks and replicas" });
            await Expect(chunks.Locator("tbody tr")).ToHaveCountAsync(replicas.Length);
            for (var i = 0; i < replicas.Length; i++)
            {
                var chips = dialog.GetByRole(AriaRole.List, new() { Name = $"Replicas of chunk {i}" }).GetByRole(AriaRole.Listitem);
                Assert.Equal(replicas[i], (await chips.AllTextContentsAsync()).Order());
            }

            var download = await page.RunAndWaitForDownloadAsync(() =>
                versions.GetByRole(AriaRole.Link, new() { Name = "Download version 1" }).ClickAsync());
            Assert.Equal(first, await File.ReadAllBytesAsync(await download.PathAsync()));

            // Lock as alice: the API and the page both name the holder; unlock clears it.
            await dialog.GetByLabel("Lock owner name").FillAsync("alice");
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Lock", Exact = true }).ClickAsync();
            await Expect(dialog.Locator("#lock-status")).ToHaveTextAsync(new Regex("Held by alice"));
            Assert.Equal("alice", await HolderAsync());
            await Expect(console.Row("/details/data.bin")).ToContainTextAsync("locked");

            await dialog.GetByRole(AriaRole.Button, new() { Name = "Unlock" }).ClickAsync();
            await Expect(dialog.Locator("#lock-status")).ToHaveTextAsync("Not locked.");
            Assert.Null(await HolderAsync());
        });
    }

    private async Task<string?> HolderAsync()
    {
        using var state = JsonDocument.Parse(await cluster.Http.GetStringAsync(new Uri("/api/locks/details/data.bin", UriKind.Relative)));
        return state.RootElement.GetProperty("holder").GetString();
    }
}
