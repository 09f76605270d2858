namespace Dfs.Gateway.Cluster;

internal static partial class ClusterStatusLog
{
    [LoggerMessage(EventId = 5020, Level = LogLevel.Debug, Message = "Master {MasterId} did not report its status: {Reason}")]
    public static partial void MasterUnreachable(ILogger logger, string masterId, string reason);

    [LoggerMessage(EventId = 5021, Level = LogLevel.Debug, Message = "The leader did not report the chunk servers: {Reason}")]
    public static partial void ChunkServersUnknown(ILogger logger, string reason);
}
