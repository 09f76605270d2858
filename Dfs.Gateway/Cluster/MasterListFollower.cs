using Dfs.Client.Master;

namespace Dfs.Gateway.Cluster;

/// <summary>
/// Keeps the gateway's <see cref="MasterClient"/> on the masters of the group: every <see cref="Interval"/> it rereads the
/// book the leader keeps through membership changes, so a master added after the gateway started is used and a removed one dropped.
/// </summary>
public sealed partial class MasterListFollower(MasterClient masters, ILogger<MasterListFollower> logger) : BackgroundService
{
    /// <summary>Time between two reads of the book. One linearizable read a second costs the leader nothing worth counting.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        masters.FollowMastersAsync(Interval, list =>
        {
            Log.Following(logger, string.Join(", ", list.Select(m => m.Id)));
            return Task.CompletedTask;
        }, e => Log.RefreshFailed(logger, e.Message), stoppingToken);

    internal static partial class Log
    {
        [LoggerMessage(EventId = 5110, Level = LogLevel.Information, Message = "The gateway now talks to masters {Masters}")]
        public static partial void Following(ILogger logger, string masters);

        [LoggerMessage(EventId = 5111, Level = LogLevel.Debug, Message = "Could not reread the masters' book: {Problem}")]
        public static partial void RefreshFailed(ILogger logger, string problem);
    }
}
