using Dfs.Cli.Tests.Fake;
using Dfs.Testing;

namespace Dfs.Cli.Tests;

/// <summary>Progress bars appear for a person at a terminal and never in pipes, CI or JSON.</summary>
public sealed class ProgressTests
{
    [Fact]
    public async Task NotATerminal_PrintsNothingButTheResult()
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var dir = TestDirectory.Create("cli");
        var cli = new CliRunner(gateway.Url) { Terminal = false };
        await File.WriteAllBytesAsync(dir.Combine("f"), Bytes.Random(1024 * 1024));

        var put = await cli.RunOkAsync("put", dir.Combine("f"), "/f");
        var get = await cli.RunOkAsync("get", "/f", dir.Combine("g"));

        Assert.Equal(string.Empty, put.Out + put.Error);
        Assert.Equal(string.Empty, get.Out + get.Error);
    }

    [Theory]
    [InlineData("CI", "true")]
    [InlineData("TERM", "dumb")]
    public async Task ATerminalUnderCiOrDumb_PrintsNoProgress(string variable, string value)
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var dir = TestDirectory.Create("cli");
        var cli = new CliRunner(gateway.Url) { Terminal = true, Environment = { [variable] = value } };
        await File.WriteAllBytesAsync(dir.Combine("f"), Bytes.Random(1024 * 1024));

        var put = await cli.RunOkAsync("put", dir.Combine("f"), "/f");

        Assert.Equal(string.Empty, put.Error);
    }

    [Fact]
    public async Task ATerminal_ShowsProgressAndASummaryOnStderr_AndQuietSilencesIt()
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var dir = TestDirectory.Create("cli");
        var cli = new CliRunner(gateway.Url) { Terminal = true };
        await File.WriteAllBytesAsync(dir.Combine("f"), Bytes.Random(1024 * 1024));

        var put = await cli.RunOkAsync("put", dir.Combine("f"), "/f");
        var quiet = await cli.RunOkAsync("get", "-q", "/f", dir.Combine("g"));

        Assert.Contains("put 1 file, 1.0 MiB in", put.Error, StringComparison.Ordinal);
        Assert.Contains("\u001b[", put.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, put.Out);
        Assert.Equal(string.Empty, quiet.Error);
    }
}
