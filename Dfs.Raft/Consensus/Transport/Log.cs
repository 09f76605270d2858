using Microsoft.Extensions.Logging;

namespace Dfs.Raft.Consensus.Transport;

/// <summary>Log messages of the Raft transport (event ids 1050–1099).</summary>
internal static partial class Log
{
    [LoggerMessage(1050, LogLevel.Warning, "Closing inbound Raft connection from {Remote}: {Reason}")]
    public static partial void InboundGarbage(ILogger logger, string? remote, string reason);

    [LoggerMessage(1051, LogLevel.Debug, "Inbound Raft connection from {Remote} ended: {Reason}")]
    public static partial void InboundFailed(ILogger logger, string? remote, string reason);

    [LoggerMessage(1052, LogLevel.Debug, "Cannot reach Raft peer {Peer} at {Address}: {Reason}; retrying in {DelayMs} ms")]
    public static partial void ConnectFailed(ILogger logger, string peer, string address, string reason, double delayMs);

    [LoggerMessage(1053, LogLevel.Information, "Connected to Raft peer {Peer} at {Address}")]
    public static partial void Connected(ILogger logger, string peer, string address);

    [LoggerMessage(1054, LogLevel.Information, "Lost connection to Raft peer {Peer}: {Reason}")]
    public static partial void ConnectionLost(ILogger logger, string peer, string reason);

    [LoggerMessage(1055, LogLevel.Debug, "Dropping a message to unknown Raft peer {Peer}")]
    public static partial void UnknownPeer(ILogger logger, string peer);

    [LoggerMessage(1057, LogLevel.Information, "Raft peer {Peer} closed the connection (its process stopped or restarted)")]
    public static partial void PeerClosed(ILogger logger, string peer);

    [LoggerMessage(1056, LogLevel.Information, "Sent snapshot {Index} ({Bytes} bytes) to Raft peer {Peer}")]
    public static partial void SnapshotSent(ILogger logger, long index, long bytes, string peer);
}
