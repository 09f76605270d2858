using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Client.Chunks.Protocol;
using Microsoft.Extensions.Logging;

namespace Dfs.ChunkServer;

/// <summary>Log messages of the chunk server's server, pipeline and clients (event ids 3100–3199).</summary>
internal static partial class Log
{
    [LoggerMessage(3101, LogLevel.Warning, "Connection {ConnectionId} sent bytes that are not the chunk protocol; closing it: {Reason}")]
    public static partial void BadFrames(ILogger logger, string connectionId, string reason);

    [LoggerMessage(3102, LogLevel.Error, "Connection {ConnectionId} failed unexpectedly")]
    public static partial void ConnectionFailed(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(3103, LogLevel.Debug, "Pipeline for chunk {ChunkId} v{Version} at offset {Offset} set up with {DownstreamCount} node(s) below")]
    public static partial void PipelineStarted(ILogger logger, ChunkId chunkId, long version, long offset, int downstreamCount);

    [LoggerMessage(3104, LogLevel.Information, "Pipeline for chunk {ChunkId} v{Version} failed ({Code}, {Hops} hop(s) down): {Message}")]
    public static partial void PipelineFailed(ILogger logger, ChunkId chunkId, long version, ChunkErrorCode code, int hops, string message);

    [LoggerMessage(3105, LogLevel.Debug, "Chunk {ChunkId} v{Version} committed: {Length} bytes")]
    public static partial void Committed(ILogger logger, ChunkId chunkId, long version, long length);

    [LoggerMessage(3106, LogLevel.Warning, "Read of chunk {ChunkId} refused: {Code} {Message}")]
    public static partial void ReadRefused(ILogger logger, ChunkId chunkId, ChunkErrorCode code, string message);

    [LoggerMessage(3107, LogLevel.Information, "Copied chunk {ChunkId} v{Version} ({Length} bytes) from {Source}")]
    public static partial void Copied(ILogger logger, ChunkId chunkId, long version, long length, string source);

    [LoggerMessage(3108, LogLevel.Information, "Released the interrupted write of chunk {ChunkId} after {Timeout}")]
    public static partial void PendingExpired(ILogger logger, ChunkId chunkId, TimeSpan timeout);

    [LoggerMessage(3150, LogLevel.Information, "Chunk server {ServerId} heartbeats to {Masters} master(s) every {Interval}")]
    public static partial void HeartbeatsStarted(ILogger logger, string serverId, int masters, TimeSpan interval);

    [LoggerMessage(3151, LogLevel.Warning, "Master {MasterId} at {Host}:{Port} does not answer heartbeats: {Reason}")]
    public static partial void MasterUnreachable(ILogger logger, string masterId, string host, int port, string reason);

    [LoggerMessage(3152, LogLevel.Information, "Master {MasterId} answers heartbeats again")]
    public static partial void MasterReachable(ILogger logger, string masterId);

    [LoggerMessage(3153, LogLevel.Information, "Deleted chunk {ChunkId} as the leader asked")]
    public static partial void DeletedByMaster(ILogger logger, ChunkId chunkId);

    [LoggerMessage(3154, LogLevel.Warning, "Copy of chunk {ChunkId} from {Source} failed: {Reason}")]
    public static partial void CopyFailed(ILogger logger, ChunkId chunkId, string source, string reason);

    [LoggerMessage(3155, LogLevel.Warning, "Reporting corrupt replica of chunk {ChunkId} to the masters: {Reason}")]
    public static partial void CorruptReported(ILogger logger, ChunkId chunkId, string reason);

    [LoggerMessage(3158, LogLevel.Warning, "Copy of chunk {ChunkId} failed from all {Sources} of its sources; reporting it to the masters")]
    public static partial void CopyFailedReported(ILogger logger, ChunkId chunkId, int sources);

    [LoggerMessage(3156, LogLevel.Warning,
        "Ignored a master leading term {Term}: a leader of term {HighestTerm} has been heard ({Deletes} deletion(s), {Copies} copy order(s) dropped)")]
    public static partial void StaleLeaderIgnored(ILogger logger, long term, long highestTerm, int deletes, int copies);

    [LoggerMessage(3157, LogLevel.Information, "Chunk server {ServerId} now heartbeats to masters {Masters}, as the masters' book lists them")]
    public static partial void MastersFollowed(ILogger logger, string serverId, string masters);
}
