using System.Text.Json;
using Dfs.Cli.Tests.Fake;
using Dfs.Testing;

namespace Dfs.Cli.Tests;

/// <summary>ls, mkdir, mv, rm, stat and versions against the fake gateway.</summary>
public sealed class NamespaceTests : IAsyncLifetime
{
    private FakeGateway _gateway = null!;
    private CliRunner _cli = null!;
    private TestDirectory _dir = null!;

    public async Task InitializeAsync()
    {
        _gateway = await FakeGateway.StartAsync();
        _cli = new CliRunner(_gateway.Url);
        _dir = TestDirectory.Create("cli");
    }

    public async Task DisposeAsync()
    {
        _dir.Dispose();
        await _gateway.DisposeAsync();
    }

    [Fact]
    public async Task Ls_ListsOneLevelByName_DirectoriesWithASlash()
    {
        await PutAsync("/d/b.txt", "bb");
        await PutAsync("/d/a.txt", "a");
        await PutAsync("/d/sub/c.txt", "ccc");

        var result = await _cli.RunOkAsync("ls", "/d");

        Assert.Equal(["a.txt", "b.txt", "sub/"], Lines(result.Out));
    }

    [Fact]
    public async Task Ls_WithoutAPath_ListsTheRoot()
    {
        await PutAsync("/top.txt", "t");
        await _cli.RunOkAsync("mkdir", "/dir");

        var result = await _cli.RunOkAsync("ls");

        Assert.Equal(["dir/", "top.txt"], Lines(result.Out));
    }

    [Fact]
    public async Task LsLong_ShowsKindSizeVersionAndTime()
    {
        await PutAsync("/d/a.txt", "a");
        await PutAsync("/d/a.txt", "abcd");
        await _cli.RunOkAsync("mkdir", "/d/sub");

        var lines = Lines((await _cli.RunOkAsync("ls", "-l", "/d")).Out);

        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^- +4 +2  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d  a\.txt$", lines[0]);
        Assert.Matches(@"^d +0 +-  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d  sub/$", lines[1]);
    }

    [Fact]
    public async Task LsRecursive_ListsEveryPathBelow_EachDirectoryBeforeItsContents()
    {
        await PutAsync("/r/z.txt", "z");
        await PutAsync("/r/a/b/c.txt", "c");
        await PutAsync("/r/a/x.txt", "x");

        var result = await _cli.RunOkAsync("ls", "-R", "/r");

        Assert.Equal(["/r/a/", "/r/a/b/", "/r/a/b/c.txt", "/r/a/x.txt", "/r/z.txt"], Lines(result.Out));
        var bundled = Lines((await _cli.RunOkAsync("ls", "-lR", "/r")).Out);
        Assert.Equal(5, bundled.Length);
        Assert.EndsWith("  /r/a/b/c.txt", bundled[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task LsJson_IsAnArrayOfEntriesWithNamePathKindSizeVersionModified()
    {
        await PutAsync("/j/f.bin", "12345");
        await _cli.RunOkAsync("mkdir", "/j/d");

        var result = await _cli.RunOkAsync("ls", "--json", "/j");

        using var json = JsonDocument.Parse(result.Out);
        var entries = json.RootElement.EnumerateArray().ToArray();
        Assert.Equal(2, entries.Length);
        Assert.Equal("d", entries[0].GetProperty("name").GetString());
        Assert.Equal("directory", entries[0].GetProperty("kind").GetString());
        var file = entries[1];
        Assert.Equal(["name", "path", "kind", "size", "version", "modified"], file.EnumerateObject().Select(p => p.Name));
        Assert.Equal("/j/f.bin", file.GetProperty("path").GetString());
        Assert.Equal("file", file.GetProperty("kind").GetString());
        Assert.Equal(5, file.GetProperty("size").GetInt64());
        Assert.Equal(1, file.GetProperty("version").GetInt64());
        Assert.True(file.GetProperty("modified").TryGetDateTimeOffset(out _));
    }

    [Fact]
    public async Task LsOfAFile_ShowsThatFile()
    {
        await PutAsync("/one/file.txt", "x");

        var result = await _cli.RunOkAsync("ls", "/one/file.txt");

        Assert.Equal(["/one/file.txt"], Lines(result.Out));
    }

    [Fact]
    public async Task MkdirWithParents_CreatesTheChain_AndWithoutItNeedsTheParent()
    {
        await _cli.RunOkAsync("mkdir", "-p", "/m/n/o");
        Assert.Equal("directory", await _cli.KindAsync("/m/n"));
        Assert.Equal("directory", await _cli.KindAsync("/m/n/o"));

        var orphan = await _cli.RunAsync("mkdir", "/nowhere/x");
        Assert.Equal(ExitCodes.NotFound, orphan.ExitCode);
        Assert.Null(await _cli.KindAsync("/nowhere"));

        await _cli.RunOkAsync("mkdir", "-p", "/m/n/o");
    }

    [Fact]
    public async Task RmRecursive_DeletesADirectoryAndEverythingInIt()
    {
        await PutAsync("/t/a.txt", "a");
        await PutAsync("/t/deep/b.txt", "b");

        var without = await _cli.RunAsync("rm", "/t");
        Assert.Equal(ExitCodes.Conflict, without.ExitCode);
        Assert.Contains("rm -r", without.Error, StringComparison.Ordinal);
        Assert.Equal("file", await _cli.KindAsync("/t/a.txt"));

        await _cli.RunOkAsync("rm", "-r", "/t");

        Assert.Null(await _cli.KindAsync("/t"));
        Assert.Null(await _cli.KindAsync("/t/deep/b.txt"));
    }

    [Fact]
    public async Task Rm_DeletesFiles_AndForceIgnoresMissingOnes()
    {
        await PutAsync("/f1", "1");

        await _cli.RunOkAsync("rm", "/f1");
        Assert.Null(await _cli.KindAsync("/f1"));

        Assert.Equal(ExitCodes.NotFound, (await _cli.RunAsync("rm", "/f1")).ExitCode);
        await _cli.RunOkAsync("rm", "-f", "/f1");
    }

    [Fact]
    public async Task Mv_RenamesAFile_AndMovesIntoAnExistingDirectoryByName()
    {
        await PutAsync("/src.txt", "payload");
        await _cli.RunOkAsync("mkdir", "/dest");

        await _cli.RunOkAsync("mv", "/src.txt", "/renamed.txt");
        Assert.Null(await _cli.KindAsync("/src.txt"));
        Assert.Equal("payload", await _cli.ReadTextAsync("/renamed.txt"));

        await _cli.RunOkAsync("mv", "/renamed.txt", "/dest");
        Assert.Equal("payload", await _cli.ReadTextAsync("/dest/renamed.txt"));
    }

    [Fact]
    public async Task Mv_OntoAnExistingFile_IsAConflictUnlessForced()
    {
        await PutAsync("/a", "a");
        await PutAsync("/b", "b");

        var refused = await _cli.RunAsync("mv", "/a", "/b");
        Assert.Equal(ExitCodes.Conflict, refused.ExitCode);
        Assert.Contains("already exists", refused.Error, StringComparison.Ordinal);

        await _cli.RunOkAsync("mv", "-f", "/a", "/b");
        Assert.Equal("a", await _cli.ReadTextAsync("/b"));
    }

    [Fact]
    public async Task Stat_ShowsSizeVersionEtagAndChunkReplicas()
    {
        await PutAsync("/s.txt", "hello");

        var etag = (await _cli.StatAsync("/s.txt"))!.Value.GetProperty("etag").GetString()!;
        var text = (await _cli.RunOkAsync("stat", "/s.txt")).Out;
        Assert.Contains("size:          5 (5 B)", text, StringComparison.Ordinal);
        Assert.Contains("version:       1", text, StringComparison.Ordinal);
        Assert.Contains($"etag:          {etag}", text, StringComparison.Ordinal);
        Assert.Contains("c1 127.0.0.1:9101", text, StringComparison.Ordinal);

        using var json = JsonDocument.Parse((await _cli.RunOkAsync("stat", "--json", "/s.txt")).Out);
        Assert.Equal("file", json.RootElement.GetProperty("kind").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("chunks").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("lock").GetProperty("holder").ValueKind);
    }

    [Fact]
    public async Task Versions_ListsEveryKeptVersionNewestFirst()
    {
        await PutAsync("/v", "1");
        await PutAsync("/v", "22");
        await PutAsync("/v", "333");

        using var json = JsonDocument.Parse((await _cli.RunOkAsync("versions", "--json", "/v")).Out);
        Assert.Equal([3L, 2L, 1L], json.RootElement.EnumerateArray().Select(v => v.GetProperty("version").GetInt64()));
        Assert.Equal([3L, 2L, 1L], json.RootElement.EnumerateArray().Select(v => v.GetProperty("size").GetInt64()));

        var table = (await _cli.RunOkAsync("versions", "/v")).Out;
        Assert.Contains(json.RootElement[1].GetProperty("etag").GetString()!, table, StringComparison.Ordinal);
        Assert.True(table.IndexOf(" 3 ", StringComparison.Ordinal) < table.IndexOf(" 1 ", StringComparison.Ordinal), table);
    }

    private async Task PutAsync(string remote, string content)
    {
        var local = _dir.Combine(Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(local, content);
        await _cli.RunOkAsync("put", local, remote);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
