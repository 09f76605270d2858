namespace Dfs.Common.Configuration;

/// <summary>The values <see cref="ClusterConfig.Consensus"/> accepts.</summary>
public static class ConsensusBackends
{
    /// <summary>This repository's Raft engine (the default).</summary>
    public const string Dfs = "dfs";

    /// <summary>DotNext's <c>RaftCluster</c> over its TCP transport and <c>WriteAheadLog</c>.</summary>
    public const string DotNext = "dotnext";

    /// <summary>True for a value <see cref="ClusterConfig.Consensus"/> accepts.</summary>
    public static bool IsKnown(string? value) => value is Dfs or DotNext;
}
