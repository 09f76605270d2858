namespace Dfs.Testing.Linearizability;

/// <summary>The verdict of a linearizability check.</summary>
public enum LinearizabilityOutcome
{
    /// <summary>A linearization exists for every partition.</summary>
    Ok,

    /// <summary>Some partition has no linearization: the history violates the model.</summary>
    Illegal,

    /// <summary>The search ran out of time or was cancelled before a verdict.</summary>
    Unknown,
}
