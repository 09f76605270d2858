namespace Dfs.Raft.Consensus;

/// <summary>What a single-server configuration change does.</summary>
public enum ConfigurationChangeKind : byte
{
    /// <summary>Add a node that receives the log but does not vote.</summary>
    AddLearner = 0,

    /// <summary>Make a caught-up learner a voter.</summary>
    PromoteLearner = 1,

    /// <summary>Remove a voter or learner.</summary>
    Remove = 2,
}

/// <summary>One membership change: one node added, promoted or removed at a time (thesis §4.1).</summary>
public sealed record ConfigurationChange(ConfigurationChangeKind Kind, string NodeId);
