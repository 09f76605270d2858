namespace Dfs.Raft.ChunkServers;

/// <summary>
/// The directory's background loop on every master: reads the membership records back from the replicated store, and on
/// the leader only runs the duties (<see cref="ChunkServerDirectory.RunDuties"/>). A follower does nothing else.
/// </summary>
public sealed partial class ChunkServerDuties(ChunkServerDirectory directory, Master.IMasterKv kv, TimeProvider time, ILogger<ChunkServerDuties> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(directory.Options.DutyInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await directory.RefreshMembershipAsync(stoppingToken);
                    if (kv.Status.Role == "Leader")
                    {
                        directory.RunDuties();
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogPassFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 1270, Level = LogLevel.Error, Message = "A pass of the chunk-server duties failed")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
