namespace Dfs.Raft.ChunkServers;

/// <summary>Log messages of the chunk-server directory and the leader's duties over chunks (event ids 1250–1299).</summary>
public sealed partial class ChunkServerDirectory
{
    [LoggerMessage(EventId = 1250, Level = LogLevel.Information, Message = "First heartbeat from chunk server {ServerId} at {Host}:{Port} (full report: {FullReport})")]
    private static partial void LogFirstHeartbeat(ILogger logger, string serverId, string host, int port, bool fullReport);

    [LoggerMessage(EventId = 1251, Level = LogLevel.Information, Message = "Chunk server {ServerId}'s full report is in: {Chunks} replicas")]
    private static partial void LogReportComplete(ILogger logger, string serverId, int chunks);

    [LoggerMessage(EventId = 1252, Level = LogLevel.Warning, Message = "Chunk server {ServerId} reported chunk {ChunkId:x16} v{Version} corrupt")]
    private static partial void LogCorrupt(ILogger logger, string serverId, ulong chunkId, long version);

    [LoggerMessage(EventId = 1253, Level = LogLevel.Information, Message = "Chunk server {ServerId} registered at {Host}:{Port}")]
    private static partial void LogRegistered(ILogger logger, string serverId, string host, int port);

    [LoggerMessage(EventId = 1254, Level = LogLevel.Debug, Message = "Registering chunk server {ServerId} failed: {Reason}")]
    private static partial void LogRegisterFailed(ILogger logger, string serverId, string reason);

    [LoggerMessage(EventId = 1255, Level = LogLevel.Information, Message = "Chunk server {ServerId} draining: {Draining}")]
    private static partial void LogDraining(ILogger logger, string serverId, bool draining);

    [LoggerMessage(EventId = 1256, Level = LogLevel.Warning, Message = "Skipped a chunk server record that does not decode: {Problem}")]
    private static partial void LogBadMember(ILogger logger, string problem);

    [LoggerMessage(EventId = 1257, Level = LogLevel.Information, Message = "Chunk server {ServerId} is alive")]
    private static partial void LogAlive(ILogger logger, string serverId);

    [LoggerMessage(EventId = 1258, Level = LogLevel.Warning, Message = "Chunk server {ServerId} is dead: not heard for {DeadMs} ms; its {Chunks} replicas no longer count")]
    private static partial void LogDead(ILogger logger, string serverId, long deadMs, int chunks);

    [LoggerMessage(EventId = 1259, Level = LogLevel.Warning, Message = "Copy of chunk {ChunkId:x16} to {Target} from {Source} timed out; retrying elsewhere")]
    private static partial void LogCopyTimedOut(ILogger logger, ulong chunkId, string target, string source);

    [LoggerMessage(EventId = 1263, Level = LogLevel.Warning, Message = "Copy of chunk {ChunkId:x16} to {Target} from {Sources} abandoned: the target or every source is dead; ordering it again")]
    private static partial void LogCopyCannotLand(ILogger logger, ulong chunkId, string target, string sources);

    [LoggerMessage(EventId = 1265, Level = LogLevel.Warning, Message = "Copy of chunk {ChunkId:x16} to {Target} failed from every source ({Sources}); ordering it elsewhere")]
    private static partial void LogCopyFailed(ILogger logger, ulong chunkId, string target, string sources);

    [LoggerMessage(EventId = 1264, Level = LogLevel.Warning, Message = "Chunk server {ServerId} reported chunk {ChunkId:x16} at version {Version}, outside 0..2^48-1; ignored")]
    private static partial void LogVersionOutOfRange(ILogger logger, string serverId, ulong chunkId, long version);

    [LoggerMessage(EventId = 1260, Level = LogLevel.Information, Message = "Chunk {ChunkId:x16}: replica on {ServerId} is stale (v{Version} < v{Current}); deleting it")]
    private static partial void LogStale(ILogger logger, ulong chunkId, string serverId, long version, long current);

    [LoggerMessage(EventId = 1261, Level = LogLevel.Information, Message = "Chunk {ChunkId:x16} v{Version}: copying from {Source} to {Target}")]
    private static partial void LogCopyOrdered(ILogger logger, ulong chunkId, long version, string source, string target);

    [LoggerMessage(EventId = 1262, Level = LogLevel.Information, Message = "Chunk {ChunkId:x16} v{Version} has more replicas than the factor; deleting the one on {ServerId}")]
    private static partial void LogTrimmed(ILogger logger, ulong chunkId, string serverId, long version);
}
