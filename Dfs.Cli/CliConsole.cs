namespace Dfs.Cli;

/// <summary>Where <c>dfs</c> reads and writes: the process's console, or buffers in tests.</summary>
/// <param name="Out">Text output (listings, tables, JSON).</param>
/// <param name="Error">Messages and progress bars.</param>
/// <param name="StandardOutput">Raw bytes of <c>cat</c> (the same stream as <paramref name="Out"/> in a process).</param>
/// <param name="StandardInput">Raw bytes of <c>put -</c>.</param>
/// <param name="ErrorIsTerminal">True when <paramref name="Error"/> is a terminal, where progress bars may be drawn.</param>
/// <param name="OutIsTerminal">True when <paramref name="Out"/> is a terminal.</param>
/// <param name="GetEnvironmentVariable">The environment (DFS_GATEWAY, CI, TERM).</param>
public sealed record CliConsole(
    TextWriter Out,
    TextWriter Error,
    Func<Stream> StandardOutput,
    Func<Stream> StandardInput,
    bool ErrorIsTerminal,
    bool OutIsTerminal,
    Func<string, string?> GetEnvironmentVariable)
{
    /// <summary>The process's own console and environment.</summary>
    public static CliConsole System() => new(
        Console.Out,
        Console.Error,
        Console.OpenStandardOutput,
        Console.OpenStandardInput,
        ErrorIsTerminal: !Console.IsErrorRedirected,
        OutIsTerminal: !Console.IsOutputRedirected,
        Environment.GetEnvironmentVariable);
}
