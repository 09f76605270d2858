using System.CommandLine;
using Dfs.Cli.Gateway;
using Dfs.Cli.Gateway.Contracts;

namespace Dfs.Cli.Commands;

/// <summary><c>dfs mv [-f] &lt;source...&gt; &lt;destination&gt;</c>: rename, or move into a directory.</summary>
internal static class MvCommand
{
    public static Command Create(CommandRunner runner)
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "Sources, then the destination (an existing directory, or a trailing '/', receives the sources by name)",
            HelpName = "source... destination",
            Arity = Arities.SourcesAndDestination,
        };
        var force = new Option<bool>("--force", "-f") { Description = "Replace an existing destination" };
        var command = new Command("mv", "Move or rename files and directories") { paths, force };
        runner.SetHandler(command, async (context, parse, cancellationToken) =>
        {
            var given = parse.GetValue(paths)!;
            var sources = given[..^1].Select(RemotePath.Normalize).ToArray();
            var destination = RemotePath.Normalize(given[^1]);
            var target = await Lookup.FindAsync(context.Gateway, destination, cancellationToken);
            var into = target?.IsDirectory == true || RemotePath.NamesDirectory(given[^1]) || sources.Length > 1;
            if (into && target is { IsDirectory: false })
            {
                throw new CliException(ExitCodes.Conflict, $"{destination} is not a directory");
            }
            var results = new List<RenameResult>();
            foreach (var source in sources)
            {
                var to = into ? RemotePath.Combine(destination, RemotePath.NameOf(source)) : destination;
                results.Add(await context.Gateway.RenameAsync(source, to, parse.GetValue(force), cancellationToken));
            }
            if (context.Json)
            {
                context.WriteJson(results);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
