using System.CommandLine;
using Dfs.Cli.Gateway;
using Dfs.Cli.Gateway.Contracts;
using Dfs.Cli.Transfers;

namespace Dfs.Cli.Commands;

/// <summary><c>dfs put &lt;local...&gt; &lt;remote&gt;</c>: uploads files and directories (recursively), several at once, streaming.</summary>
internal static class PutCommand
{
    public static Command Create(CommandRunner runner)
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "Local files or directories ('-' for standard input), then the remote destination",
            HelpName = "local... remote",
            Arity = Arities.SourcesAndDestination,
        };
        var parallel = ParallelismOption.Create();
        var contentType = new Option<string?>("--content-type") { Description = "Content-Type kept with the files (default application/octet-stream)", HelpName = "type" };
        var noClobber = new Option<bool>("--no-clobber", "-n") { Description = "Fail (exit 3) for files that already exist" };
        var ifMatch = new Option<string?>("--if-match") { Description = "Replace only the version with this ETag (exit 3 otherwise)", HelpName = "etag" };
        var token = new Option<string?>("--token") { Description = "The lock token, when the path is locked", HelpName = "token" };
        var command = new Command("put", "Upload files and directories (recursively)") { paths, parallel, contentType, noClobber, ifMatch, token };
        runner.SetHandler(command, async (context, parse, cancellationToken) =>
        {
            var given = parse.GetValue(paths)!;
            var plan = await UploadPlan.BuildAsync(context.Gateway, given[..^1], given[^1], cancellationToken);
            var options = new PutFileOptions(parse.GetValue(contentType), parse.GetValue(ifMatch), parse.GetValue(noClobber), parse.GetValue(token));
            if (options.ContentType is { } type && !System.Net.Http.Headers.MediaTypeHeaderValue.TryParse(type, out _))
            {
                throw CliException.Usage($"'{type}' is not a media type");
            }

            foreach (var directory in plan.Directories)
            {
                await context.Gateway.CreateDirectoryAsync(directory, cancellationToken);
            }
            var outcome = context.ShowProgress
                ? await SpectreTransferProgress.RunAsync(context.ErrorTerminal, "put", plan.Files.Count, plan.TotalBytes, Run)
                : await Run(NullTransferProgress.Instance);

            if (context.Json)
            {
                context.WriteJson(outcome.Results.OrderBy(r => r.Path, StringComparer.Ordinal));
            }
            return Transfer.Report(context, outcome.Failures.Select(f => ($"{f.Job.LocalPath} -> {f.Job.RemotePath}", f.Error)));

            Task<TransferOutcome<UploadJob, FileWriteResult>> Run(ITransferProgress progress) => ParallelTransfers.RunAsync(
                plan.Files,
                parse.GetValue(parallel),
                progress,
                job => (job.RemotePath, job.Length),
                (job, item, token) => UploadAsync(context, job, options, item, token),
                cancellationToken);
        });
        return command;
    }

    private static async Task<FileWriteResult> UploadAsync(CliContext context, UploadJob job, PutFileOptions options, ITransferItem item, CancellationToken cancellationToken)
    {
        Stream source;
        long? length = null;
        if (job.IsStandardInput)
        {
            source = context.Console.StandardInput();
        }
        else
        {
            try
            {
                // Unbuffered: the upload reads 128 KiB at a time straight into its own buffer.
                source = new FileStream(job.LocalPath, new FileStreamOptions
                {
                    Mode = FileMode.Open,
                    Access = FileAccess.Read,
                    Share = FileShare.Read,
                    BufferSize = 0,
                    Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
                });
                length = source.Length;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new LocalFileException($"Cannot read {job.LocalPath}: {e.Message}", e);
            }
        }
        using var body = new ProgressReadStream(source, item, job.LocalPath);
        return await context.Gateway.PutFileAsync(job.RemotePath, body, length, options, cancellationToken);
    }
}
