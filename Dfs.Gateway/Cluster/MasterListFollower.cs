using Dfs.Client.Master;
using Dfs.Client.Master.Protocol;

namespace Dfs.Gateway.Cluster;

/// <summary>
/// Keeps the gateway's <see cref="MasterClient"/> on the masters of the group: every <see cref="Interval"/> it rereads the
/// book the leader keeps through membership changes, so a master added after the gateway started is used and a removed one dropped.
/// </summary>
public sealed partial class MasterListFollower(MasterClient masters, TimeProvider time, ILogger<MasterListFollower> logger) : BackgroundService
{
    /// <summary>Time between two reads of the book. One linearizable read a second costs the leader nothing worth counting.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    if (await masters.RefreshMastersAsync(stoppingToken))
                    {
                        Log.Following(logger, string.Join(", ", masters.Masters.Select(m => m.Id)));
                    }
                }
                catch (Exception e) when (e is TimeoutException or IOException or InvalidDataException or MasterException)
                {
                    Log.RefreshFailed(logger, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal static partial class Log
    {
        [LoggerMessage(EventId = 5110, Level = LogLevel.Information, Message = "The gateway now talks to masters {Masters}")]
        public static partial void Following(ILogger logger, string masters);

        [LoggerMessage(EventId = 5111, Level = LogLevel.Debug, Message = "Could not reread the masters' book: {Problem}")]
        public static partial void RefreshFailed(ILogger logger, string problem);
    }
}
