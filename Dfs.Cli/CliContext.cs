using System.Text.Encodings.Web;
using System.Text.Json;
using Dfs.Cli.Gateway;
using Spectre.Console;

namespace Dfs.Cli;

/// <summary>What one command runs with: the console, the gateway client and the output mode.</summary>
internal sealed class CliContext : IDisposable
{
    private static readonly JsonSerializerOptions Indented = new(GatewayClient.Json)
    {
        WriteIndented = true,
        // Paths and names print as typed (no \u escapes for non-ASCII or '+').
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly bool _quiet;
    private IAnsiConsole? _terminal;
    private IAnsiConsole? _errorTerminal;

    public CliContext(CliConsole console, GatewayClient gateway, bool json, bool quiet)
    {
        Console = console;
        Gateway = gateway;
        Json = json;
        _quiet = quiet;
    }

    public CliConsole Console { get; }

    public GatewayClient Gateway { get; }

    /// <summary>Output is JSON for scripts: one document on stdout, errors as JSON on stderr, no progress.</summary>
    public bool Json { get; }

    public TextWriter Out => Console.Out;

    /// <summary>
    /// Progress bars are drawn only for a person: stderr is a terminal, output is not JSON, not quiet, and not under
    /// CI or a dumb terminal.
    /// </summary>
    public bool ShowProgress => !Json && !_quiet && Console.ErrorIsTerminal && !IsSet("CI") && Console.GetEnvironmentVariable("TERM") != "dumb";

    /// <summary>Stdout for tables: colours and Unicode borders on a terminal, plain ASCII and a wide page otherwise.</summary>
    public IAnsiConsole Terminal => _terminal ??= CreateConsole(Console.Out, Console.OutIsTerminal && !IsSet("CI"), interactive: false);

    /// <summary>Stderr for progress bars (used only when <see cref="ShowProgress"/>).</summary>
    public IAnsiConsole ErrorTerminal => _errorTerminal ??= CreateConsole(Console.Error, terminal: true, interactive: true);

    /// <summary>A table for <see cref="Terminal"/>: rounded borders on a terminal, plain aligned columns (awk-friendly) otherwise.</summary>
    public Table NewTable(params string[] columns)
    {
        var table = new Table().AddColumns(columns.Select(Markup.Escape).ToArray());
        return Console.OutIsTerminal && !IsSet("CI") ? table.Border(TableBorder.Rounded) : table.Border(TableBorder.None);
    }

    public void WriteJson<T>(T value) => Out.WriteLine(JsonSerializer.Serialize(value, Indented));

    /// <summary>Reports an error on stderr: a sentence, or a JSON object in JSON mode.</summary>
    public void ReportError(string message, int exitCode, string? what = null)
    {
        if (Json)
        {
            Console.Error.WriteLine(JsonSerializer.Serialize(new { error = message, exitCode, path = what }, GatewayClient.Json));
        }
        else
        {
            Console.Error.WriteLine(what is null ? $"dfs: {message}" : $"dfs: {what}: {message}");
        }
    }

    public void Dispose() => Gateway.Dispose();

    private bool IsSet(string name) => Console.GetEnvironmentVariable(name) is { Length: > 0 } value
        && !value.Equals("false", StringComparison.OrdinalIgnoreCase) && value != "0";

    private IAnsiConsole CreateConsole(TextWriter writer, bool terminal, bool interactive)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!terminal)
        {
            // A pipe has no width: wide enough that rows are not wrapped.
            console.Profile.Width = 200;
        }
        return console;
    }
}
