using System.CommandLine;
using Dfs.Cli.Gateway;

namespace Dfs.Cli.Commands;

/// <summary><c>dfs rm [-r] [-f] &lt;path...&gt;</c>.</summary>
internal static class RmCommand
{
    public static Command Create(CommandRunner runner)
    {
        var paths = new Argument<string[]>("path") { Description = "Files (and with -r, directories) to delete", Arity = ArgumentArity.OneOrMore };
        var recursive = new Option<bool>("--recursive", "-r", "-R") { Description = "Delete directories and everything in them" };
        var force = new Option<bool>("--force", "-f") { Description = "No error for paths that do not exist" };
        var token = new Option<string?>("--token") { Description = "The lock token, when the file is locked", HelpName = "token" };
        var ifMatch = new Option<string?>("--if-match") { Description = "Delete only if the file's ETag is this one", HelpName = "etag" };
        var command = new Command("rm", "Delete files and directories") { paths, recursive, force, token, ifMatch };
        runner.SetHandler(command, async (context, parse, cancellationToken) =>
        {
            var targets = parse.GetValue(paths)!.Select(RemotePath.Normalize).ToArray();
            if (targets.Contains(RemotePath.Root))
            {
                throw CliException.Usage("refusing to delete the root directory");
            }
            var removed = new List<object>();
            var exit = ExitCodes.Ok;
            foreach (var path in targets)
            {
                try
                {
                    try
                    {
                        await context.Gateway.DeleteFileAsync(path, parse.GetValue(ifMatch), parse.GetValue(token), cancellationToken);
                        removed.Add(new { path, kind = "file" });
                    }
                    catch (GatewayProblemException e) when (e.Slug == "is-a-directory")
                    {
                        if (!parse.GetValue(recursive))
                        {
                            throw new CliException(ExitCodes.Conflict, "is a directory (use rm -r)");
                        }
                        await context.Gateway.DeleteDirectoryAsync(path, recursive: true, cancellationToken);
                        removed.Add(new { path, kind = "directory" });
                    }
                }
                catch (GatewayProblemException e) when (e.Status == System.Net.HttpStatusCode.NotFound && parse.GetValue(force))
                {
                    // -f: a path already gone is what was asked for.
                }
                catch (Exception e) when (e is CliException or GatewayProblemException)
                {
                    var code = ErrorMapping.ExitCodeOf(e)!.Value;
                    context.ReportError(e.Message, code, path);
                    exit = exit == ExitCodes.Ok ? code : exit;
                }
            }
            if (context.Json)
            {
                context.WriteJson(removed);
            }
            return exit;
        });
        return command;
    }
}
