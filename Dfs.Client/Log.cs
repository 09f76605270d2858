using Dfs.Client.Chunks;
using Dfs.Client.Chunks.Protocol;
using Microsoft.Extensions.Logging;

namespace Dfs.Client;

/// <summary>Log messages of the clients (event ids 4000–4099).</summary>
internal static partial class Log
{
    [LoggerMessage(4000, LogLevel.Warning, "Write of chunk {ChunkId} v{Version}: leaving out {Endpoint} ({Code}: {Message}) and rebuilding the pipeline")]
    public static partial void WriteRecovering(ILogger logger, ChunkId chunkId, long version, string endpoint, ChunkErrorCode code, string message);

    [LoggerMessage(4001, LogLevel.Debug, "Write of chunk {ChunkId}: survivor {Endpoint} holds {Status}")]
    public static partial void SurvivorStatus(ILogger logger, ChunkId chunkId, string endpoint, string status);
}
