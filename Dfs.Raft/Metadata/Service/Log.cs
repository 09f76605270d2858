namespace Dfs.Raft.Metadata.Service;

/// <summary>The file-system service's log lines; event ids 1450–1499 of the metadata range.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1450, Level = LogLevel.Debug, Message = "Answered sequence {Sequence} of client {ClientId} from its recorded outcome")]
    public static partial void Replayed(ILogger logger, Guid clientId, long sequence);

    [LoggerMessage(EventId = 1451, Level = LogLevel.Information, Message = "Asked the chunk servers to delete {Count} chunks of garbage record {Record}")]
    public static partial void GarbageDeleting(ILogger logger, int count, string record);

    [LoggerMessage(EventId = 1452, Level = LogLevel.Information, Message = "Collected {Count} chunks of {Record}: no chunk server holds them any more")]
    public static partial void GarbageCollected(ILogger logger, int count, string record);

    [LoggerMessage(EventId = 1453, Level = LogLevel.Information, Message = "Chunk {ChunkId} was allocated at {CreatedMs} and never committed; collecting it as an orphan")]
    public static partial void OrphanClaimed(ILogger logger, string chunkId, long createdMs);

    [LoggerMessage(EventId = 1454, Level = LogLevel.Debug, Message = "Dropped {Count} recorded outcomes older than their time-to-live")]
    public static partial void OutcomesExpired(ILogger logger, int count);

    [LoggerMessage(EventId = 1455, Level = LogLevel.Warning, Message = "A garbage-collection pass failed; the next pass tries again")]
    public static partial void CollectFailed(ILogger logger, Exception exception);
}
