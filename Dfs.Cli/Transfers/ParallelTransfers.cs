using System.Collections.Concurrent;

namespace Dfs.Cli.Transfers;

/// <summary>The outcome of a batch: what succeeded and what failed (with the error), each in no particular order.</summary>
internal sealed record TransferOutcome<TJob, TResult>(IReadOnlyList<TResult> Results, IReadOnlyList<(TJob Job, Exception Error)> Failures);

/// <summary>Runs a batch of transfers, at most N at a time; one failure does not stop the others.</summary>
internal static class ParallelTransfers
{
    /// <summary>
    /// Runs <paramref name="transfer"/> for every job, <paramref name="parallelism"/> at a time. Errors a command expects
    /// (gateway, network, local I/O) are collected per job; anything else, and cancellation, ends the batch.
    /// </summary>
    public static async Task<TransferOutcome<TJob, TResult>> RunAsync<TJob, TResult>(
        IReadOnlyList<TJob> jobs,
        int parallelism,
        ITransferProgress progress,
        Func<TJob, (string Name, long? Length)> describe,
        Func<TJob, ITransferItem, CancellationToken, Task<TResult>> transfer,
        CancellationToken cancellationToken)
    {
        var results = new ConcurrentQueue<TResult>();
        var failures = new ConcurrentQueue<(TJob, Exception)>();
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(jobs, options, async (job, token) =>
        {
            var (name, length) = describe(job);
            var item = progress.Start(name, length);
            try
            {
                results.Enqueue(await transfer(job, item, token));
            }
            catch (Exception e) when (e is not OperationCanceledException && ErrorMapping.ExitCodeOf(e) is not null)
            {
                failures.Enqueue((job, e));
            }
            finally
            {
                item.Finish();
            }
        });
        return new TransferOutcome<TJob, TResult>([.. results], [.. failures]);
    }
}
