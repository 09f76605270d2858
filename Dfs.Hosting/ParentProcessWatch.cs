using Dfs.Common.Processes;
using Microsoft.Extensions.Hosting;

namespace Dfs.Hosting;

/// <summary>
/// Stops the application gracefully once the process that launched it is gone, so nodes started by the local
/// launcher never outlive it, however it ended.
/// </summary>
public sealed class ParentProcessWatch(int parentPid, IHostApplicationLifetime lifetime, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!ProcessSignals.Exists(parentPid))
            {
                lifetime.StopApplication();
                return;
            }
        }
    }
}
