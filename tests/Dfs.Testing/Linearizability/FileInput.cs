namespace Dfs.Testing.Linearizability;

/// <summary>A request on one of the two paths of a pair, as <see cref="FilePairModel"/> sees it.</summary>
/// <param name="Kind">Which operation.</param>
/// <param name="Pair">The pair of paths it touches (the unit the history is split by).</param>
/// <param name="Side">0 or 1: which path of the pair (for a rename, the source; the target is the other one).</param>
/// <param name="Value">For a write, the hash of the bytes written.</param>
public sealed record FileInput(FileOperationKind Kind, int Pair, int Side, string? Value = null)
{
    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        FileOperationKind.Write => $"write(p{Pair}/{Side}, {Value})",
        FileOperationKind.Read => $"read(p{Pair}/{Side})",
        FileOperationKind.Delete => $"delete(p{Pair}/{Side})",
        _ => $"rename(p{Pair}/{Side} -> p{Pair}/{1 - Side})",
    };
}
