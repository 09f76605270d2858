namespace Dfs.Client.Master.Protocol;

/// <summary>
/// What a request asks: replicate a command, read linearizably (a read-only command, never logged), or report the
/// answering master's own Raft state (<see cref="MasterStatus"/>; any master answers, leader or not), or run a
/// file-system operation on the leader (a <see cref="Metadata.Protocol.MetadataRequest"/>; the answer is its result).
/// </summary>
public enum MasterRequestKind : byte
{
    Command = 1,
    Read = 2,
    Status = 3,
    Metadata = 4,
}
