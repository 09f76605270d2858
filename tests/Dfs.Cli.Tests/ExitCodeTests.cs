using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Dfs.Cli.Tests.Fake;
using Dfs.Testing;

namespace Dfs.Cli.Tests;

/// <summary>Every class of error ends in its documented exit code, with the gateway's detail sentence on stderr.</summary>
public sealed class ExitCodeTests
{
    [Fact]
    public async Task NotFound_ExitsTwo_WithTheGatewaysDetail()
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var dir = TestDirectory.Create("cli");
        var cli = new CliRunner(gateway.Url);

        var get = await cli.RunAsync("get", "/missing.txt", dir.Combine("x"));
        var cat = await cli.RunAsync("cat", "/missing.txt");
        var stat = await cli.RunAsync("stat", "/missing.txt");

        Assert.Equal([ExitCodes.NotFound, ExitCodes.NotFound, ExitCodes.NotFound], new[] { get.ExitCode, cat.ExitCode, stat.ExitCode });
        Assert.Equal("dfs: Nothing exists at /missing.txt.", get.Error.Trim());
        Assert.False(File.Exists(dir.Combine("x")));
    }

    [Fact]
    public async Task MissingVersion_ExitsTwo()
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var dir = TestDirectory.Create("cli");
        var cli = new CliRunner(gateway.Url);
        await File.WriteAllTextAsync(dir.Combine("f"), "x");
        await cli.RunOkAsync("put", dir.Combine("f"), "/f");

        var result = await cli.RunAsync("cat", "--version", "7", "/f");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains("no version 7", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Conflict_ExitsThree()
    {
        await using var gateway = await FakeGateway.StartAsync();
        var cli = new CliRunner(gateway.Url);
        await cli.RunOkAsync("mkdir", "/exists");

        var mkdir = await cli.RunAsync("mkdir", "/exists");
        var catDirectory = await cli.RunAsync("cat", "/exists");
        var moveIntoItself = await cli.RunAsync("mv", "/exists", "/exists/inner/x");

        Assert.True(mkdir.ExitCode == ExitCodes.Conflict, mkdir.ToString());
        Assert.True(catDirectory.ExitCode == ExitCodes.Conflict, catDirectory.ToString());
        Assert.Contains("is a directory", catDirectory.Error, StringComparison.Ordinal);
        Assert.True(moveIntoItself.ExitCode is ExitCodes.Conflict or ExitCodes.NotFound, moveIntoItself.ToString());
    }

    [Fact]
    public async Task PreconditionFailed_ExitsThree_AndWritesNothing()
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var dir = TestDirectory.Create("cli");
        var cli = new CliRunner(gateway.Url);
        await File.WriteAllTextAsync(dir.Combine("f"), "first");
        await cli.RunOkAsync("put", dir.Combine("f"), "/f");
        var etag = (await cli.StatAsync("/f"))!.Value.GetProperty("etag").GetString()!;

        var noClobber = await cli.RunAsync("put", "--no-clobber", dir.Combine("f"), "/f");
        var staleEtag = await cli.RunAsync("put", "--if-match", "00000000", dir.Combine("f"), "/f");
        var rightEtag = await cli.RunAsync("put", "--if-match", etag.Trim('"'), dir.Combine("f"), "/f");

        Assert.Equal(ExitCodes.Conflict, noClobber.ExitCode);
        Assert.Equal(ExitCodes.Conflict, staleEtag.ExitCode);
        Assert.True(rightEtag.ExitCode == ExitCodes.Ok, rightEtag.ToString());
        Assert.Equal(2, (await cli.StatAsync("/f"))!.Value.GetProperty("versions").GetArrayLength());
    }

    [Fact]
    public async Task Locked_ExitsFour()
    {
        await using var gateway = await FakeGateway.StartAsync();
        var cli = new CliRunner(gateway.Url);
        await cli.RunOkAsync("mkdir", "/d");
        await cli.RunOkAsync("lock", "/d/f", "--owner", "alice");

        var result = await new CliRunner(gateway.Url) { StandardInput = "x"u8.ToArray() }.RunAsync("put", "-", "/d/f");

        Assert.Equal(ExitCodes.Locked, result.ExitCode);
    }

    [Fact]
    public async Task NoLeader_ExitsFive_WithTheDetailSentence()
    {
        await using var gateway = await FakeGateway.StartAsync();
        var cli = new CliRunner(gateway.Url);
        gateway.Unavailable = true;

        var result = await cli.RunAsync("ls", "/");

        Assert.Equal(ExitCodes.Unavailable, result.ExitCode);
        Assert.StartsWith("dfs: No master is the leader right now", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectionRefused_ExitsFive()
    {
        var cli = new CliRunner($"http://127.0.0.1:{ClosedPort()}");

        var result = await cli.RunAsync("ls", "/");

        Assert.Equal(ExitCodes.Unavailable, result.ExitCode);
        Assert.Contains("Cannot reach the gateway", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(507)]
    public async Task OtherServerErrors_ExitSix(int status)
    {
        await using var gateway = await FakeGateway.StartAsync();
        var cli = new CliRunner(gateway.Url);
        gateway.ForcedStatus = status;

        var result = await cli.RunAsync("ls", "/");

        Assert.Equal(ExitCodes.ServerError, result.ExitCode);
        Assert.Contains($"answer {status}", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalFileMissing_ExitsSeven_AndUploadsNothing()
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var dir = TestDirectory.Create("cli");
        var cli = new CliRunner(gateway.Url);
        await File.WriteAllTextAsync(dir.Combine("here"), "x");

        var result = await cli.RunAsync("put", dir.Combine("here"), dir.Combine("not-here"), "/d/");

        Assert.Equal(ExitCodes.LocalIo, result.ExitCode);
        Assert.Null(await cli.KindAsync("/d"));
    }

    [Fact]
    public async Task GetIntoALocalFileAsIfADirectory_ExitsSeven()
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var dir = TestDirectory.Create("cli");
        var cli = new CliRunner(gateway.Url);
        await File.WriteAllTextAsync(dir.Combine("file"), "x");
        await cli.RunOkAsync("put", dir.Combine("file"), "/a");
        await cli.RunOkAsync("put", dir.Combine("file"), "/b");

        var result = await cli.RunAsync("get", "/a", "/b", dir.Combine("file"));

        Assert.Equal(ExitCodes.LocalIo, result.ExitCode);
    }

    [Theory]
    [InlineData("ls", "/a//b")]
    [InlineData("ls", "/a/../b")]
    [InlineData("put", "only-one-argument")]
    [InlineData("get", "-j", "0", "/a", "b")]
    [InlineData("lock", "/a", "--ttl", "0")]
    [InlineData("unlock", "/a")]
    [InlineData("frobnicate")]
    [InlineData("cat", "--version", "1", "/a", "/b")]
    public async Task UsageErrors_ExitOne(params string[] args)
    {
        await using var gateway = await FakeGateway.StartAsync();
        var cli = new CliRunner(gateway.Url);

        var result = await cli.RunAsync(args);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        Assert.NotEmpty(result.Error);
    }

    [Fact]
    public async Task InJsonMode_ErrorsAreJsonOnStderr()
    {
        await using var gateway = await FakeGateway.StartAsync();
        var cli = new CliRunner(gateway.Url);

        var result = await cli.RunAsync("stat", "--json", "/nope");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        using var json = JsonDocument.Parse(result.Error);
        Assert.Equal(ExitCodes.NotFound, json.RootElement.GetProperty("exitCode").GetInt32());
        Assert.Equal("Nothing exists at /nope.", json.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task GatewayFromTheEnvironment_IsUsedWhenNoOptionIsGiven()
    {
        await using var gateway = await FakeGateway.StartAsync();
        var output = new StringWriter();
        var console = new CliConsole(output, new StringWriter(), () => Stream.Null, () => Stream.Null, false, false, name => name == "DFS_GATEWAY" ? gateway.Url : null);

        var exit = await DfsCli.RunAsync(["health"], console);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal("ok (leader m1)", output.ToString().Trim());
    }

    /// <summary>A loopback port nothing listens on: bound by the OS, then released.</summary>
    internal static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
