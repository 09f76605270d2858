namespace Dfs.Cli.Demo;

/// <summary>Every acknowledged upload read back at the end: how many matched byte for byte, and the paths that did not.</summary>
/// <param name="Unreadable">Files no read could fetch (the gateway kept failing), neither verified nor known to be wrong.</param>
internal sealed record VerifyResult(int Acknowledged, int Verified, IReadOnlyList<string> Missing, IReadOnlyList<string> Corrupt, IReadOnlyList<string> Unreadable)
{
    /// <summary>Acknowledged uploads that read back missing or with other bytes.</summary>
    public int Lost => Missing.Count + Corrupt.Count;
}
