using Dfs.Client.Files;
using Dfs.Client.Metadata;

namespace Dfs.Gateway.Cluster;

/// <summary>
/// Decides when the cluster behind the gateway can be called ready: a leader answers, every chunk server of the config
/// has registered and is alive, and a file can be written, read back and deleted through the same path an upload takes.
/// </summary>
public sealed partial class ClusterReadiness(ClusterStatusService status, IMetadataService metadata, FileUploader uploader, ILogger<ClusterReadiness> logger)
{
    /// <summary>Where the probe file goes; it is deleted once written.</summary>
    public const string ProbePath = "/.dfs-ready-probe";

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    /// <summary>Waits until the cluster is ready; returns a one-line summary of what was found.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    public async Task<ClusterView> WaitAsync(CancellationToken cancellationToken)
    {
        var lastProblem = "";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var problem = await ProblemAsync(cancellationToken);
            if (problem is null)
            {
                return await status.GetAsync(cancellationToken);
            }
            if (problem != lastProblem)
            {
                Log.NotReady(logger, problem);
                lastProblem = problem;
            }
            await Task.Delay(Poll, cancellationToken);
        }
    }

    // What still stands between the cluster and ready, or null when nothing does.
    private async Task<string?> ProblemAsync(CancellationToken cancellationToken)
    {
        var view = await status.GetAsync(cancellationToken);
        if (view.Leader is null)
        {
            return "no master leads yet";
        }
        var missing = view.ChunkServers.Where(c => !c.Alive).Select(c => c.Id).ToArray();
        if (missing.Length > 0)
        {
            return $"chunk servers not yet registered and alive: {string.Join(", ", missing)}";
        }
        try
        {
            // One byte past the inline threshold: the probe takes the chunk path (allocation, pipeline, commit), as large uploads do.
            var probe = new byte[uploader.Options.InlineFileBytes + 1];
            await uploader.UploadAsync(new FileUploadRequest(ProbePath, "text/plain", ExpectedVersion.Any), new MemoryStream(probe), cancellationToken);
            await metadata.DeleteAsync(ProbePath, cancellationToken: cancellationToken);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return $"a probe file could not be written yet: {e.Message}";
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5190, Level = LogLevel.Information, Message = "Cluster not ready: {Problem}")]
        public static partial void NotReady(ILogger logger, string problem);
    }
}
