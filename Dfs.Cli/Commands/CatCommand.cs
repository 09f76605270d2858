using System.CommandLine;
using Dfs.Cli.Gateway;
using Dfs.Cli.Transfers;

namespace Dfs.Cli.Commands;

/// <summary><c>dfs cat &lt;path...&gt; [--version N]</c>: files' bytes to stdout, streamed.</summary>
internal static class CatCommand
{
    public static Command Create(CommandRunner runner)
    {
        var paths = new Argument<string[]>("path") { Description = "Files to print", Arity = ArgumentArity.OneOrMore };
        var version = FileVersionOption.Create();
        var command = new Command("cat", "Print files to stdout") { paths, version };
        runner.SetHandler(command, async (context, parse, cancellationToken) =>
        {
            var targets = parse.GetValue(paths)!.Select(RemotePath.Normalize).ToArray();
            if (parse.GetValue(version) is not null && targets.Length > 1)
            {
                throw CliException.Usage("--version takes one file");
            }
            await context.Out.FlushAsync(cancellationToken);
            var stdout = context.Console.StandardOutput();
            foreach (var path in targets)
            {
                using var download = await context.Gateway.OpenFileAsync(path, parse.GetValue(version), cancellationToken: cancellationToken);
                await DownloadCopy.CopyAsync(download, stdout, "stdout", NullTransferProgress.Instance, cancellationToken);
            }
            await stdout.FlushAsync(cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }
}
