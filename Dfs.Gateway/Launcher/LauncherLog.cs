namespace Dfs.Gateway.Launcher;

internal static partial class LauncherLog
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Information, Message = "Starting {Masters} masters and {ChunkServers} chunk servers as child processes")]
    public static partial void Starting(ILogger logger, int masters, int chunkServers);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Every launched node is ready")]
    public static partial void Ready(ILogger logger);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Error, Message = "The local cluster did not start; stopping the nodes already started")]
    public static partial void StartFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Stopping the launched chunk servers, then the masters")]
    public static partial void Stopping(ILogger logger);
}
