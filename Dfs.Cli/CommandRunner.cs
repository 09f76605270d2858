using System.CommandLine;
using Dfs.Cli.Gateway;

namespace Dfs.Cli;

/// <summary>Runs a verb's handler with a <see cref="CliContext"/> and turns what it throws into a message and an exit code.</summary>
internal sealed class CommandRunner(GlobalOptions globals, CliConsole console)
{
    public void SetHandler(Command command, Func<CliContext, ParseResult, CancellationToken, Task<int>> handler)
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
            var json = parse.GetValue(globals.Json);
            var address = parse.GetValue(globals.Gateway);
            if (string.IsNullOrEmpty(address))
            {
                address = console.GetEnvironmentVariable("DFS_GATEWAY");
            }
            if (string.IsNullOrEmpty(address))
            {
                address = DfsCli.DefaultGateway;
            }
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                await console.Error.WriteLineAsync($"dfs: the gateway address must be an http or https URL, not '{address}'");
                return ExitCodes.Usage;
            }

            using var context = new CliContext(console, new GatewayClient(uri), json, parse.GetValue(globals.Quiet));
            try
            {
                return await handler(context, parse, cancellationToken);
            }
            catch (Exception e) when (ErrorMapping.ExitCodeOf(e) is { } exit)
            {
                context.ReportError(e.Message, exit);
                return exit;
            }
            catch (Exception e)
            {
                // A bug, not a usage error: exit 6 so scripts do not take it for their own mistake (1).
                context.ReportError($"unexpected {e.GetType().Name}: {e.Message}", ExitCodes.ServerError);
                return ExitCodes.ServerError;
            }
        });
    }
}
