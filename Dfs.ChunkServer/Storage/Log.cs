using Dfs.Client.Chunks;
using Microsoft.Extensions.Logging;

namespace Dfs.ChunkServer.Storage;

/// <summary>Log messages of chunk storage (event ids 3000–3099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Debug, Message = "Committed chunk {ChunkId} version {Version}: {Length} bytes")]
    public static partial void ReplicaCommitted(ILogger logger, ChunkId chunkId, long version, long length);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Quarantined chunk {ChunkId} version {Version} in {Folder}: {Reason}")]
    public static partial void ReplicaQuarantined(ILogger logger, ChunkId chunkId, long version, string folder, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Chunk {ChunkId} is not served after restart: {Reason}")]
    public static partial void ReplicaRejectedAtOpen(ILogger logger, ChunkId chunkId, string reason);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Discarded interrupted write {File}: {Reason}")]
    public static partial void PendingDiscardedAtOpen(ILogger logger, string file, string reason);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Opened chunk store {Root}: {ReplicaCount} replicas ({UsedBytes} bytes), {PendingCount} resumable writes")]
    public static partial void StoreOpened(ILogger logger, string root, int replicaCount, long usedBytes, int pendingCount);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Write of chunk {ChunkId} refused: {Reason}")]
    public static partial void WriteRefusedDiskFull(ILogger logger, ChunkId chunkId, string reason);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Debug, Message = "Deleted chunk {ChunkId}")]
    public static partial void ReplicaDeleted(ILogger logger, ChunkId chunkId);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Information, Message = "Resumed write of chunk {ChunkId} at version {Version} from offset {Offset}")]
    public static partial void WriteResumed(ILogger logger, ChunkId chunkId, long version, long offset);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "Scrub pass verified {Replicas} replicas ({Bytes} bytes), found {Corrupt} corrupt")]
    public static partial void ScrubPassCompleted(ILogger logger, int replicas, long bytes, int corrupt);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Error, Message = "Scrubbing chunk {ChunkId} failed")]
    public static partial void ScrubFailed(ILogger logger, ChunkId chunkId, Exception exception);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Warning, Message = "Injected fault: {Fault}")]
    public static partial void FaultInjected(ILogger logger, string fault);
}
