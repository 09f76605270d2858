namespace Dfs.Testing.Linearizability;

/// <summary>The verdict of <see cref="LinearizabilityChecker.Check"/> with an explanation a person can act on.</summary>
public sealed class LinearizabilityResult<TInput, TOutput>
{
    internal LinearizabilityResult(
        LinearizabilityOutcome outcome,
        string explanation,
        int partitionCount,
        int? partitionIndex,
        IReadOnlyList<Operation<TInput, TOutput>> longestPrefix,
        Operation<TInput, TOutput>? unplaced,
        TimeSpan elapsed)
    {
        Outcome = outcome;
        Explanation = explanation;
        PartitionCount = partitionCount;
        PartitionIndex = partitionIndex;
        LongestPrefix = longestPrefix;
        Unplaced = unplaced;
        Elapsed = elapsed;
    }

    /// <summary>Ok, Illegal or Unknown.</summary>
    public LinearizabilityOutcome Outcome { get; }

    /// <summary>True when the history is linearizable.</summary>
    public bool IsOk => Outcome == LinearizabilityOutcome.Ok;

    /// <summary>What was found: for Illegal, the longest linearizable prefix and the operation that could not follow it.</summary>
    public string Explanation { get; }

    /// <summary>How many independent parts the model split the history into.</summary>
    public int PartitionCount { get; }

    /// <summary>For Illegal or Unknown, the index of the part that failed or was being searched.</summary>
    public int? PartitionIndex { get; }

    /// <summary>For Illegal, the longest sequence of that part's operations found to be a valid linearization prefix.</summary>
    public IReadOnlyList<Operation<TInput, TOutput>> LongestPrefix { get; }

    /// <summary>For Illegal, the earliest-returning operation that no linearization of the prefix could place next.</summary>
    public Operation<TInput, TOutput>? Unplaced { get; }

    /// <summary>How long the check took.</summary>
    public TimeSpan Elapsed { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Outcome}: {Explanation}";
}
