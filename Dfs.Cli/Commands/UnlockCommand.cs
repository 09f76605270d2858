using System.CommandLine;
using Dfs.Cli.Gateway;

namespace Dfs.Cli.Commands;

/// <summary><c>dfs unlock &lt;path&gt; --token T</c>.</summary>
internal static class UnlockCommand
{
    public static Command Create(CommandRunner runner)
    {
        var path = new Argument<string>("path") { Description = "The locked path" };
        var token = new Option<string>("--token") { Description = "The token dfs lock printed", HelpName = "token", Required = true };
        var command = new Command("unlock", "Release a lock") { path, token };
        runner.SetHandler(command, async (context, parse, cancellationToken) =>
        {
            var target = RemotePath.Normalize(parse.GetValue(path)!);
            await context.Gateway.ReleaseLockAsync(target, parse.GetValue(token)!, cancellationToken);
            if (context.Json)
            {
                context.WriteJson(new { path = target, released = true });
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
