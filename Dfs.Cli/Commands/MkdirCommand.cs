using System.CommandLine;
using Dfs.Cli.Gateway;
using Dfs.Cli.Gateway.Contracts;

namespace Dfs.Cli.Commands;

/// <summary><c>dfs mkdir [-p] &lt;path...&gt;</c>.</summary>
internal static class MkdirCommand
{
    public static Command Create(CommandRunner runner)
    {
        var paths = new Argument<string[]>("path") { Description = "Directories to create", Arity = ArgumentArity.OneOrMore };
        var parents = new Option<bool>("--parents", "-p") { Description = "Create missing parents; no error if the directory exists" };
        var command = new Command("mkdir", "Create directories") { paths, parents };
        runner.SetHandler(command, async (context, parse, cancellationToken) =>
        {
            var targets = parse.GetValue(paths)!.Select(RemotePath.Normalize).ToArray();
            var withParents = parse.GetValue(parents);
            var results = new List<DirectoryCreated>();
            foreach (var path in targets)
            {
                if (!withParents)
                {
                    var parent = await Lookup.FindAsync(context.Gateway, RemotePath.ParentOf(path), cancellationToken);
                    if (parent is null)
                    {
                        throw new CliException(ExitCodes.NotFound, $"cannot create {path}: {RemotePath.ParentOf(path)} does not exist (use -p)");
                    }
                    if (!parent.IsDirectory)
                    {
                        throw new CliException(ExitCodes.Conflict, $"cannot create {path}: {RemotePath.ParentOf(path)} is not a directory");
                    }
                }
                var created = await context.Gateway.CreateDirectoryAsync(path, cancellationToken);
                if (!created.Created && !withParents)
                {
                    throw new CliException(ExitCodes.Conflict, $"cannot create {path}: it already exists");
                }
                results.Add(created);
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
