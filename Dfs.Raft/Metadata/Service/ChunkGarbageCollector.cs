namespace Dfs.Raft.Metadata.Service;

/// <summary>Runs <see cref="FileSystemService.CollectOnceAsync"/> on the leader every <see cref="FileSystemServiceOptions.CollectInterval"/>; idle elsewhere.</summary>
public sealed class ChunkGarbageCollector(FileSystemService service, IMetadataLeadership leadership, TimeProvider time, ILogger<ChunkGarbageCollector> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var wasLeader = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(service.Options.CollectInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var leader = leadership.IsLeader;
            if (!leader)
            {
                if (wasLeader)
                {
                    service.ResetCollection();
                }
                wasLeader = false;
                continue;
            }
            wasLeader = true;
            try
            {
                await service.CollectOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                Log.CollectFailed(logger, e);
            }
        }
    }
}
