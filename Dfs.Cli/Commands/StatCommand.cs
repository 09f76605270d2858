using System.CommandLine;
using System.Globalization;
using Dfs.Cli.Gateway;
using Spectre.Console;

namespace Dfs.Cli.Commands;

/// <summary><c>dfs stat &lt;path&gt; [--version N]</c>: metadata, chunks and their replicas, lock.</summary>
internal static class StatCommand
{
    public static Command Create(CommandRunner runner)
    {
        var path = new Argument<string>("path") { Description = "A file or a directory" };
        var version = FileVersionOption.Create();
        var command = new Command("stat", "Show a file's metadata, chunks, replicas and lock") { path, version };
        runner.SetHandler(command, async (context, parse, cancellationToken) =>
        {
            var meta = await context.Gateway.GetMetadataAsync(RemotePath.Normalize(parse.GetValue(path)!), parse.GetValue(version), cancellationToken);
            if (context.Json)
            {
                context.WriteJson(meta);
                return ExitCodes.Ok;
            }
            var lines = new List<(string, string)>
            {
                ("path", meta.Path),
                ("kind", meta.Kind),
            };
            if (!meta.IsDirectory)
            {
                lines.Add(("size", $"{meta.Size} ({Sizes.Format(meta.Size)})"));
                lines.Add(("version", meta.Version.ToString(CultureInfo.InvariantCulture)));
                lines.Add(("etag", meta.Etag ?? "-"));
                lines.Add(("content type", meta.ContentType ?? "-"));
                lines.Add(("versions kept", (meta.Versions?.Count ?? 0).ToString(CultureInfo.InvariantCulture)));
            }
            lines.Add(("modified", meta.Modified.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff 'UTC'", CultureInfo.InvariantCulture)));
            var holder = meta.Lock?.Holder;
            var queue = meta.Lock?.Queue ?? [];
            lines.Add(("lock", holder is null ? "free" : $"held by {holder}" + (queue.Count > 0 ? $" (waiting: {string.Join(", ", queue)})" : string.Empty)));
            foreach (var (name, value) in lines)
            {
                await context.Out.WriteLineAsync($"{name + ":",-15}{value}");
            }

            if (meta.Chunks is { Count: > 0 } chunks)
            {
                var table = context.NewTable("#", "chunk", "length", "checksum", "chunk version", "replicas");
                for (var i = 0; i < chunks.Count; i++)
                {
                    var chunk = chunks[i];
                    var replicas = string.Join(", ", (chunk.Replicas ?? []).Select(r => $"{r.Id} {r.Host}:{r.Port}"));
                    table.AddRow(
                        i.ToString(CultureInfo.InvariantCulture),
                        chunk.Id,
                        chunk.Length.ToString(CultureInfo.InvariantCulture),
                        chunk.Checksum,
                        chunk.ChunkVersion.ToString(CultureInfo.InvariantCulture),
                        Markup.Escape(replicas.Length == 0 ? "none" : replicas));
                }
                context.Terminal.Write(table);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
