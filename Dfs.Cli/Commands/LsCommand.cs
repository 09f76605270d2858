using System.CommandLine;
using System.Globalization;
using Dfs.Cli.Gateway;
using Dfs.Cli.Gateway.Contracts;

namespace Dfs.Cli.Commands;

/// <summary><c>dfs ls [-l] [-R] [path]</c>: one directory level (names), or everything below it (-R, full paths).</summary>
internal static class LsCommand
{
    public static Command Create(CommandRunner runner)
    {
        var path = new Argument<string>("path") { Description = "A directory or a file (default: /)", Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => "/" };
        var longFormat = new Option<bool>("--long", "-l") { Description = "Kind, size, version and modification time (UTC)" };
        var recursive = new Option<bool>("--recursive", "-R") { Description = "Everything below, as full paths" };
        var command = new Command("ls", "List a directory, or show one file") { path, longFormat, recursive };
        runner.SetHandler(command, async (context, parse, cancellationToken) =>
        {
            var target = RemotePath.Normalize(parse.GetValue(path)!);
            var meta = await Lookup.GetAsync(context.Gateway, target, cancellationToken);
            var isRecursive = parse.GetValue(recursive);
            var entries = new List<DirectoryEntry>();
            if (!meta.IsDirectory)
            {
                entries.Add(new DirectoryEntry(RemotePath.NameOf(meta.Path), meta.Path, meta.Kind, meta.Size, meta.Version, meta.Modified));
            }
            else
            {
                await CollectAsync(context.Gateway, target, isRecursive, entries, cancellationToken);
            }

            if (context.Json)
            {
                context.WriteJson(entries);
                return ExitCodes.Ok;
            }
            var fullPaths = isRecursive || !meta.IsDirectory;
            foreach (var entry in entries)
            {
                var name = (fullPaths ? entry.Path : entry.Name) + (entry.IsDirectory ? "/" : string.Empty);
                await context.Out.WriteLineAsync(parse.GetValue(longFormat) ? LongLine(entry, name) : name);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>One line of <c>ls -l</c>: <c>d|-  size  version  yyyy-MM-dd HH:mm:ss  name</c> (a directory's version is '-').</summary>
    internal static string LongLine(DirectoryEntry entry, string name) => string.Format(
        CultureInfo.InvariantCulture,
        "{0} {1,14} {2,6}  {3:yyyy-MM-dd HH:mm:ss}  {4}",
        entry.IsDirectory ? 'd' : '-',
        entry.Size,
        entry.IsDirectory ? "-" : entry.Version.ToString(CultureInfo.InvariantCulture),
        entry.Modified.UtcDateTime,
        name);

    // Pre-order, each level in the gateway's name order: a directory is followed by what it holds.
    private static async Task CollectAsync(GatewayClient gateway, string directory, bool recursive, List<DirectoryEntry> into, CancellationToken cancellationToken)
    {
        await foreach (var entry in gateway.ListDirectoryAllAsync(directory, cancellationToken: cancellationToken))
        {
            into.Add(entry);
            if (recursive && entry.IsDirectory)
            {
                await CollectAsync(gateway, entry.Path, recursive, into, cancellationToken);
            }
        }
    }
}
