using Dfs.Cli.Tests.Fake;
using Dfs.Testing;

namespace Dfs.Cli.Tests;

/// <summary>put, get and cat against the fake gateway: bytes survive the round trip, trees are recreated, failures leave nothing half-written.</summary>
public sealed class TransferTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData((1024 * 1024) + 1)]
    public async Task PutThenGet_RoundTripsTheBytesExactly(int length)
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var dir = TestDirectory.Create("cli");
        var cli = new CliRunner(gateway.Url);
        var data = Bytes.Random(length, seed: length);
        var source = dir.Combine("source.bin");
        await File.WriteAllBytesAsync(source, data);

        await cli.RunOkAsync("put", source, "/data/file.bin");
        Assert.Equal(data, await cli.ReadAsync("/data/file.bin"));

        var copy = dir.Combine("copy.bin");
        await cli.RunOkAsync("get", "/data/file.bin", copy);
        Assert.Equal(data, await File.ReadAllBytesAsync(copy));
    }

    [Fact]
    public async Task PutDirectory_ThenGetIt_RecreatesTheWholeTreeIncludingEmptyDirectories()
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var dir = TestDirectory.Create("cli");
        var cli = new CliRunner(gateway.Url);
        var tree = dir.CreateSubdirectory("tree");
        var files = new Dictionary<string, byte[]>
        {
            ["a.txt"] = Bytes.Random(10, 1),
            [Path.Combine("sub", "b.bin")] = Bytes.Random(70_000, 2),
            [Path.Combine("sub", "deeper", "c.bin")] = Bytes.Random(1, 3),
            [Path.Combine("sub", "deeper", "empty.bin")] = [],
            ["with space ü.txt"] = Bytes.Random(5, 4),
        };
        foreach (var (relative, bytes) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(tree, relative))!);
            await File.WriteAllBytesAsync(Path.Combine(tree, relative), bytes);
        }
        Directory.CreateDirectory(Path.Combine(tree, "hollow"));

        await cli.RunOkAsync("put", "-j", "3", tree, "/backup/");

        Assert.Equal(files["a.txt"], await cli.ReadAsync("/backup/tree/a.txt"));
        Assert.Equal(files["with space ü.txt"], await cli.ReadAsync("/backup/tree/with space ü.txt"));
        Assert.Equal("directory", await cli.KindAsync("/backup/tree/hollow"));

        var restored = dir.Combine("restored");
        await cli.RunOkAsync("get", "-j", "3", "/backup/tree", restored);
        foreach (var (relative, bytes) in files)
        {
            Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(restored, relative)));
        }
        Assert.True(Directory.Exists(Path.Combine(restored, "hollow")));
        var expected = files.Keys.Order(StringComparer.Ordinal).ToArray();
        var actual = Directory.EnumerateFiles(restored, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(restored, f)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task PutDirectory_OntoAPathThatDoesNotExist_BecomesThatPath()
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var dir = TestDirectory.Create("cli");
        var cli = new CliRunner(gateway.Url);
        var tree = dir.CreateSubdirectory("tree");
        await File.WriteAllTextAsync(Path.Combine(tree, "f.txt"), "f");

        await cli.RunOkAsync("put", tree, "/renamed");
        await cli.RunOkAsync("get", "/renamed", dir.Combine("back"));

        Assert.Equal("f", await cli.ReadTextAsync("/renamed/f.txt"));
        Assert.Equal("f", await File.ReadAllTextAsync(Path.Combine(dir.Combine("back"), "f.txt")));
    }

    [Fact]
    public async Task PutSeveralFiles_IntoAnExistingDirectory_KeepsTheirNames()
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var dir = TestDirectory.Create("cli");
        var cli = new CliRunner(gateway.Url);
        await File.WriteAllTextAsync(dir.Combine("one.txt"), "1");
        await File.WriteAllTextAsync(dir.Combine("two.txt"), "22");
        await cli.RunOkAsync("mkdir", "/in");

        await cli.RunOkAsync("put", dir.Combine("one.txt"), dir.Combine("two.txt"), "/in");

        Assert.Equal("1", await cli.ReadTextAsync("/in/one.txt"));
        Assert.Equal("22", await cli.ReadTextAsync("/in/two.txt"));
    }

    [Fact]
    public async Task GetOfAnOlderVersion_ReturnsThatVersionsBytes()
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var dir = TestDirectory.Create("cli");
        var cli = new CliRunner(gateway.Url);
        await File.WriteAllTextAsync(dir.Combine("f"), "first");
        await cli.RunOkAsync("put", dir.Combine("f"), "/f");
        await File.WriteAllTextAsync(dir.Combine("f"), "second");
        await cli.RunOkAsync("put", dir.Combine("f"), "/f");

        await cli.RunOkAsync("get", "--version", "1", "/f", dir.Combine("old"));
        await cli.RunOkAsync("get", "/f", dir.Combine("new"));

        Assert.Equal("first", await File.ReadAllTextAsync(dir.Combine("old")));
        Assert.Equal("second", await File.ReadAllTextAsync(dir.Combine("new")));
    }

    [Fact]
    public async Task Cat_WritesTheFilesBytesToStandardOutput()
    {
        await using var gateway = await FakeGateway.StartAsync();
        var data = Bytes.Random(300_000, 9);
        var cli = new CliRunner(gateway.Url) { StandardInput = data };

        await cli.RunOkAsync("put", "-", "/piped.bin");
        var result = await cli.RunOkAsync("cat", "/piped.bin");

        Assert.Equal(data, result.StandardOutputBytes);
    }

    [Fact]
    public async Task FailedGet_LeavesNoPartialFile_AndKeepsWhatWasThere()
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var dir = TestDirectory.Create("cli");
        var cli = new CliRunner(gateway.Url);
        await File.WriteAllBytesAsync(dir.Combine("big"), Bytes.Random(1024 * 1024, 5));
        await cli.RunOkAsync("put", dir.Combine("big"), "/big");
        var downloads = dir.CreateSubdirectory("downloads");
        await File.WriteAllTextAsync(Path.Combine(downloads, "existing"), "keep me");
        gateway.BreakDownloadsAfterBytes = 100_000;

        var fresh = await cli.RunAsync("get", "/big", Path.Combine(downloads, "fresh"));
        var over = await cli.RunAsync("get", "/big", Path.Combine(downloads, "existing"));

        Assert.True(fresh.ExitCode == ExitCodes.Unavailable, fresh.ToString());
        Assert.True(over.ExitCode == ExitCodes.Unavailable, over.ToString());
        Assert.Contains("/big", fresh.Error, StringComparison.Ordinal);
        Assert.Equal(["existing"], Directory.EnumerateFileSystemEntries(downloads).Select(Path.GetFileName));
        Assert.Equal("keep me", await File.ReadAllTextAsync(Path.Combine(downloads, "existing")));
    }

    [Fact]
    public async Task PutJson_PrintsOneResultPerFile()
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var dir = TestDirectory.Create("cli");
        var cli = new CliRunner(gateway.Url);
        await File.WriteAllTextAsync(dir.Combine("x.txt"), "hello");

        var result = await cli.RunOkAsync("put", "--json", dir.Combine("x.txt"), "/x.txt");

        using var json = System.Text.Json.JsonDocument.Parse(result.Out);
        var item = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal("/x.txt", item.GetProperty("path").GetString());
        Assert.Equal(1, item.GetProperty("version").GetInt64());
        Assert.Equal(5, item.GetProperty("size").GetInt64());
        Assert.Equal((await cli.StatAsync("/x.txt"))!.Value.GetProperty("etag").GetString(), item.GetProperty("etag").GetString());
    }
}
