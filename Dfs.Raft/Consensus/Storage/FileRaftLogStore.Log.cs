using Microsoft.Extensions.Logging;

namespace Dfs.Raft.Consensus.Storage;

public sealed partial class FileRaftLogStore
{
    /// <summary>Log messages of the Raft storage (event ids 1300–1399).</summary>
    private static partial class Log
    {
        [LoggerMessage(EventId = 1300, Level = LogLevel.Warning,
            Message = "Cut the tail of Raft log segment {Path} at byte {GoodLength} ({CutBytes} bytes removed): {Damage}")]
        public static partial void TornTailCut(ILogger logger, string path, long goodLength, long cutBytes, string damage);

        [LoggerMessage(EventId = 1301, Level = LogLevel.Information,
            Message = "Removed {Count} Raft log segments of {Directory} that a later reset made void")]
        public static partial void ObsoleteSegmentsRemoved(ILogger logger, int count, string directory);

        [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Ignored a file in the Raft log folder that is not a segment: {Path}")]
        public static partial void ForeignFileIgnored(ILogger logger, string path);

        [LoggerMessage(EventId = 1303, Level = LogLevel.Debug,
            Message = "Removed {Count} Raft log segments of {Directory} covered by the snapshot through index {Index}")]
        public static partial void SegmentsCompacted(ILogger logger, int count, long index, string directory);
    }
}
