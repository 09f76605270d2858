namespace Dfs.Cli.Gateway.Contracts;

/// <summary>One chunk server as the masters see it.</summary>
public sealed record ChunkServerInfo(
    string Id,
    string Address,
    bool Alive,
    bool Draining,
    long CapacityBytes,
    long UsedBytes,
    long FreeBytes,
    long ChunkCount,
    double Load,
    int? Pid);
