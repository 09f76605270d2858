namespace Dfs.Raft.Tests.Simulation;

/// <summary>One broken invariant: which, when (virtual microseconds), and what was seen.</summary>
public sealed record Violation(string Invariant, long TimeUs, string Detail)
{
    public override string ToString() => $"{Invariant} at t={TimeUs / 1000.0:F3}ms: {Detail}";
}
