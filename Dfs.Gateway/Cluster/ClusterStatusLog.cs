namespace Dfs.Gateway.Cluster;

internal static partial class ClusterStatusLog
{
    [LoggerMessage(EventId = 5020, Level = LogLevel.Debug, Message = "Master {MasterId} did not report its status: {Reason}")]
    public static partial void MasterUnreachable(ILogger logger, string masterId, string reason);
}
