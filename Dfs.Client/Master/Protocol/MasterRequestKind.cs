namespace Dfs.Client.Master.Protocol;

/// <summary>What a request asks: replicate a command, or read linearizably (a read-only command, never logged).</summary>
public enum MasterRequestKind : byte
{
    Command = 1,
    Read = 2,
}
