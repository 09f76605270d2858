namespace Dfs.Testing.Linearizability;

/// <summary>Two files as two registers whose values are content hashes, with renames between them.</summary>
/// <remarks>
/// <para>
/// A file alone is a register (write, read, delete), but a rename touches two files at once, so it cannot be
/// checked on either register alone without losing soundness. Paths therefore come in pairs, renames only go
/// from one path of a pair to the other (replacing it), and the history is split by pair: pairs never interact,
/// so each pair is checked on its own (P-compositionality) with a state of two values.
/// </para>
/// <para>
/// An operation with an unknown outcome may take effect at any point after its call or never (the checker places
/// it at the end to mean never): a write sets the value; a delete removes; a rename moves the source's value, if
/// any, onto the target and leaves the source absent.
/// </para>
/// </remarks>
public sealed class FilePairModel : IModel<FilePairState, FileInput, FileOutput>
{
    /// <summary>The shared instance.</summary>
    public static FilePairModel Instance { get; } = new();

    /// <inheritdoc />
    public FilePairState Init() => new(null, null);

    /// <inheritdoc />
    public (bool Ok, FilePairState NewState) Step(FilePairState state, FileInput input, FileOutput output)
    {
        var current = state[input.Side];
        switch (input.Kind)
        {
            case FileOperationKind.Write:
                return (true, state.With(input.Side, input.Value));
            case FileOperationKind.Read:
                return (output.IsUnknown || string.Equals(output.Value, current, StringComparison.Ordinal), state);
            case FileOperationKind.Delete:
                if (output.IsUnknown)
                {
                    return (true, state.With(input.Side, null));
                }

                return output.Found ? (current is not null, state.With(input.Side, null)) : (current is null, state);
            case FileOperationKind.Rename:
                var moved = current is null ? state : state.With(1 - input.Side, current).With(input.Side, null);
                if (output.IsUnknown)
                {
                    return (true, moved);
                }

                return output.Found ? (current is not null, moved) : (current is null, state);
            default:
                throw new ArgumentOutOfRangeException(nameof(input), input.Kind, "Unknown file operation.");
        }
    }

    /// <inheritdoc />
    public bool IsReadOnly(FileInput input, FileOutput output) =>
        input.Kind == FileOperationKind.Read
        || (input.Kind is FileOperationKind.Delete or FileOperationKind.Rename && !output.IsUnknown && !output.Found);

    /// <inheritdoc />
    public IEnumerable<IReadOnlyList<Operation<FileInput, FileOutput>>> Partition(IReadOnlyList<Operation<FileInput, FileOutput>> history) =>
        history.GroupBy(o => o.Input.Pair).Select(g => (IReadOnlyList<Operation<FileInput, FileOutput>>)[.. g]);

    /// <inheritdoc />
    public bool StateEquals(FilePairState left, FilePairState right) => left == right;

    /// <inheritdoc />
    public int StateHashCode(FilePairState state) => state.GetHashCode();

    /// <inheritdoc />
    public string DescribeState(FilePairState state) => state.ToString();

    /// <inheritdoc />
    public string DescribeOperation(FileInput input, FileOutput output) => $"{input} -> {output}";
}

/// <summary>The contents (hashes; null: absent) of the two paths of a pair.</summary>
public readonly record struct FilePairState(string? First, string? Second)
{
    /// <summary>The value of side 0 or 1.</summary>
    public string? this[int side] => side == 0 ? First : Second;

    /// <summary>This state with side <paramref name="side"/> set to <paramref name="value"/>.</summary>
    public FilePairState With(int side, string? value) => side == 0 ? this with { First = value } : this with { Second = value };

    /// <inheritdoc />
    public override string ToString() => $"[{First ?? "absent"}, {Second ?? "absent"}]";
}
