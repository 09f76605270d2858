using System.CommandLine;
using System.Globalization;
using Dfs.Cli.Gateway;
using Spectre.Console;

namespace Dfs.Cli.Commands;

/// <summary><c>dfs versions &lt;path&gt;</c>: the kept versions of a file, newest first.</summary>
internal static class VersionsCommand
{
    public static Command Create(CommandRunner runner)
    {
        var path = new Argument<string>("path") { Description = "A file" };
        var command = new Command("versions", "List the kept versions of a file, newest first") { path };
        runner.SetHandler(command, async (context, parse, cancellationToken) =>
        {
            var meta = await context.Gateway.GetMetadataAsync(RemotePath.Normalize(parse.GetValue(path)!), cancellationToken: cancellationToken);
            if (meta.IsDirectory)
            {
                throw new CliException(ExitCodes.Conflict, $"{meta.Path} is a directory; only files have versions");
            }
            var versions = meta.Versions ?? [];
            if (context.Json)
            {
                context.WriteJson(versions);
                return ExitCodes.Ok;
            }
            var table = context.NewTable("version", "size", "etag", "modified (UTC)", "content type");
            foreach (var v in versions)
            {
                table.AddRow(
                    v.Version.ToString(CultureInfo.InvariantCulture),
                    v.Size.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(v.Etag),
                    v.Modified.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    Markup.Escape(v.ContentType ?? "-"));
            }
            context.Terminal.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }
}
