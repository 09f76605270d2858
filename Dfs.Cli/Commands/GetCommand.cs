using System.CommandLine;
using Dfs.Cli.Gateway;
using Dfs.Cli.Transfers;

namespace Dfs.Cli.Commands;

/// <summary><c>dfs get &lt;remote...&gt; &lt;local&gt;</c>: downloads files and directories (recursively), several at once, streaming.</summary>
/// <remarks>Each file is written to a temporary name beside its destination and renamed over it only once complete, so a failed get leaves no partial file.</remarks>
internal static class GetCommand
{
    /// <summary>The suffix of a download still in progress.</summary>
    public const string PartSuffix = ".dfs-part";

    public static Command Create(CommandRunner runner)
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "Remote files or directories, then the local destination",
            HelpName = "remote... local",
            Arity = Arities.SourcesAndDestination,
        };
        var parallel = ParallelismOption.Create();
        var version = FileVersionOption.Create();
        var command = new Command("get", "Download files and directories (recursively)") { paths, parallel, version };
        runner.SetHandler(command, async (context, parse, cancellationToken) =>
        {
            var given = parse.GetValue(paths)!;
            var sources = given[..^1].Select(RemotePath.Normalize).ToArray();
            var fileVersion = parse.GetValue(version);
            var plan = await DownloadPlan.BuildAsync(context.Gateway, sources, given[^1], singleFileOnly: fileVersion is not null, cancellationToken);
            foreach (var directory in plan.Directories)
            {
                Directory.CreateDirectory(directory);
            }
            var outcome = context.ShowProgress
                ? await SpectreTransferProgress.RunAsync(context.ErrorTerminal, "get", plan.Files.Count, plan.TotalBytes, Run)
                : await Run(NullTransferProgress.Instance);

            if (context.Json)
            {
                context.WriteJson(outcome.Results.OrderBy(r => r.Remote, StringComparer.Ordinal));
            }
            return Transfer.Report(context, outcome.Failures.Select(f => ($"{f.Job.RemotePath} -> {f.Job.LocalPath}", f.Error)));

            Task<TransferOutcome<DownloadJob, DownloadResult>> Run(ITransferProgress progress) => ParallelTransfers.RunAsync(
                plan.Files,
                parse.GetValue(parallel),
                progress,
                job => (job.RemotePath, job.Length),
                (job, item, token) => DownloadAsync(context.Gateway, job, fileVersion, item, token),
                cancellationToken);
        });
        return command;
    }

    private static async Task<DownloadResult> DownloadAsync(GatewayClient gateway, DownloadJob job, long? version, ITransferItem item, CancellationToken cancellationToken)
    {
        // Asked before the temporary file exists: a missing file leaves nothing behind.
        using var download = await gateway.OpenFileAsync(job.RemotePath, version, cancellationToken: cancellationToken);
        var directory = Path.GetDirectoryName(Path.GetFullPath(job.LocalPath))!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(job.LocalPath)}.{Guid.NewGuid():N}{PartSuffix}");
        var complete = false;
        try
        {
            long copied;
            await using (var file = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0,
                Options = FileOptions.Asynchronous,
            }))
            {
                copied = await DownloadCopy.CopyAsync(download, file, job.LocalPath, item, cancellationToken);
            }
            File.Move(temporary, job.LocalPath, overwrite: true);
            complete = true;
            if (download.Headers.LastModified is { } modified)
            {
                File.SetLastWriteTimeUtc(job.LocalPath, modified.UtcDateTime);
            }
            return new DownloadResult(job.RemotePath, Path.GetFullPath(job.LocalPath), copied, download.Headers.Version, download.Headers.Etag);
        }
        finally
        {
            if (!complete)
            {
                TryDelete(temporary);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The error that got here is the one to report; a leftover temporary file is named for what it is.
        }
    }
}
