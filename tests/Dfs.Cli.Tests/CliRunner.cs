using System.Text;
using System.Text.Json;

namespace Dfs.Cli.Tests;

/// <summary>What one in-process run of <c>dfs</c> printed and returned.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error, byte[] StandardOutputBytes)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Out}\n--- stderr ---\n{Error}";
}

/// <summary>Runs <c>dfs</c> in-process through <see cref="DfsCli.RunAsync"/> against a gateway, capturing its output.</summary>
/// <param name="gatewayUrl">Passed as <c>--gateway</c>.</param>
internal sealed class CliRunner(string gatewayUrl)
{
    /// <summary>Pretend stderr and stdout are a terminal.</summary>
    public bool Terminal { get; init; }

    /// <summary>The environment the command sees (nothing else from the test process's own).</summary>
    public Dictionary<string, string?> Environment { get; init; } = [];

    /// <summary>Bytes on standard input (for <c>put -</c>).</summary>
    public byte[] StandardInput { get; init; } = [];

    public async Task<CliResult> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var stdout = new MemoryStream();
        var console = new CliConsole(
            TextWriter.Synchronized(output),
            TextWriter.Synchronized(error),
            () => stdout,
            () => new MemoryStream(StandardInput, writable: false),
            ErrorIsTerminal: Terminal,
            OutIsTerminal: Terminal,
            name => Environment.GetValueOrDefault(name));
        var exit = await DfsCli.RunAsync([.. args, "--gateway", gatewayUrl], console);
        return new CliResult(exit, output.ToString(), error.ToString(), stdout.ToArray());
    }

    /// <summary>The bytes of the file at <paramref name="path"/> as <c>dfs cat</c> reads them, or null when it does not exist.</summary>
    public async Task<byte[]?> ReadAsync(string path)
    {
        var result = await RunAsync("cat", path);
        if (result.ExitCode == ExitCodes.NotFound)
        {
            return null;
        }
        Assert.True(result.ExitCode == ExitCodes.Ok, $"dfs cat {path}: {result}");
        return result.StandardOutputBytes;
    }

    public async Task<string?> ReadTextAsync(string path) => await ReadAsync(path) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;

    /// <summary><c>dfs stat --json</c> of <paramref name="path"/>, or null when nothing is there.</summary>
    public async Task<JsonElement?> StatAsync(string path)
    {
        var result = await RunAsync("stat", "--json", path);
        if (result.ExitCode == ExitCodes.NotFound)
        {
            return null;
        }
        Assert.True(result.ExitCode == ExitCodes.Ok, $"dfs stat {path}: {result}");
        using var json = JsonDocument.Parse(result.Out);
        return json.RootElement.Clone();
    }

    /// <summary><c>file</c>, <c>directory</c>, or null when nothing is at <paramref name="path"/>.</summary>
    public async Task<string?> KindAsync(string path) => (await StatAsync(path))?.GetProperty("kind").GetString();

    /// <summary>Runs and asserts exit 0, showing the output when it is not.</summary>
    public async Task<CliResult> RunOkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"dfs {string.Join(' ', args)}: {result}");
        return result;
    }
}

/// <summary>Test data.</summary>
internal static class Bytes
{
    /// <summary>Deterministic, non-repeating-looking bytes.</summary>
    public static byte[] Random(int length, int seed = 1)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    public static string Utf8(byte[] data) => Encoding.UTF8.GetString(data);
}
