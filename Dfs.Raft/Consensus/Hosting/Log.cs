using Microsoft.Extensions.Logging;

namespace Dfs.Raft.Consensus.Hosting;

/// <summary>Log messages of the Raft host (event ids 1000–1049).</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Raft node {NodeId} starting: term {Term}, log {FirstIndex}..{LastIndex}, snapshot {SnapshotIndex}, members {Members}")]
    public static partial void Starting(ILogger logger, string nodeId, long term, long firstIndex, long lastIndex, long snapshotIndex, string members);

    [LoggerMessage(1001, LogLevel.Information, "Raft node {NodeId} is now {Role} in term {Term}; leader {LeaderId}")]
    public static partial void RoleChanged(ILogger logger, string nodeId, RaftRole role, long term, string? leaderId);

    [LoggerMessage(1002, LogLevel.Information, "Raft node {NodeId} took snapshot at {Index} (term {Term})")]
    public static partial void SnapshotTaken(ILogger logger, string nodeId, long index, long term);

    [LoggerMessage(1003, LogLevel.Information, "Raft node {NodeId} installed snapshot at {Index} (term {Term}) from the leader")]
    public static partial void SnapshotInstalled(ILogger logger, string nodeId, long index, long term);

    [LoggerMessage(1004, LogLevel.Critical, "Raft node {NodeId} stopped: its storage or state machine failed")]
    public static partial void Faulted(ILogger logger, string nodeId, Exception exception);

    [LoggerMessage(1005, LogLevel.Information, "Raft node {NodeId} hands leadership to {Target} before stopping")]
    public static partial void TransferringOnStop(ILogger logger, string nodeId, string target);

    [LoggerMessage(1006, LogLevel.Warning, "Raft node {NodeId} stopping while still leader: the transfer did not finish in time")]
    public static partial void TransferTimedOut(ILogger logger, string nodeId);

    [LoggerMessage(1007, LogLevel.Information, "Raft node {NodeId} stopped")]
    public static partial void Stopped(ILogger logger, string nodeId);

    [LoggerMessage(1008, LogLevel.Warning, "Raft node {NodeId} has no snapshot {Index} to send to {Peer}; the latest is {LatestIndex}")]
    public static partial void SnapshotMissing(ILogger logger, string nodeId, long index, string peer, long latestIndex);

    [LoggerMessage(1009, LogLevel.Information, "Raft node {NodeId} discards its log after snapshot {Index}: it does not continue the snapshot")]
    public static partial void DiscardingLogAfterSnapshot(ILogger logger, string nodeId, long index);

    [LoggerMessage(1010, LogLevel.Warning, "Raft node {NodeId}: a LeaderChanged handler threw")]
    public static partial void HandlerFailed(ILogger logger, string nodeId, Exception exception);

    [LoggerMessage(1011, LogLevel.Warning, "Raft leader {NodeId}: follower {Follower} answers but has been behind commit index {Target} for {BehindMs} ms (match {Match}, next {Next}, state {State})")]
    public static partial void FollowerLagging(ILogger logger, string nodeId, string follower, long target, long behindMs, long match, long next, string state);

    [LoggerMessage(1013, LogLevel.Information, "Raft node {NodeId}: leader {LeaderId} of term {Term} closed its connection; campaigning without waiting for the election timeout")]
    public static partial void LeaderConnectionClosed(ILogger logger, string nodeId, string leaderId, long term);

    [LoggerMessage(1012, LogLevel.Information, "Raft leader {NodeId}: follower {Follower} caught up")]
    public static partial void FollowerCaughtUp(ILogger logger, string nodeId, string follower);
}
