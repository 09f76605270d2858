namespace Dfs.Testing.Linearizability;

/// <summary>A sequential specification that a history is checked against.</summary>
/// <remarks>
/// States must be immutable values (the checker keeps and compares old ones): <see cref="Step"/> returns a new
/// state and never changes its argument. <see cref="StateEquals"/> and <see cref="StateHashCode"/> must agree;
/// they let the search remember configurations it has already explored.
/// </remarks>
public interface IModel<TState, TInput, TOutput>
{
    /// <summary>The state before any operation.</summary>
    TState Init();

    /// <summary>Applies one operation: whether <paramref name="output"/> is a legal answer to <paramref name="input"/> in <paramref name="state"/>, and the state after it.</summary>
    (bool Ok, TState NewState) Step(TState state, TInput input, TOutput output);

    /// <summary>Splits a history into independent sub-histories (by key) that are checked separately.</summary>
    /// <remarks>
    /// Sound only when operations of different parts never constrain each other (P-compositionality): a
    /// history is linearizable if and only if every part is. Return the whole history as one part otherwise.
    /// </remarks>
    IEnumerable<IReadOnlyList<Operation<TInput, TOutput>>> Partition(IReadOnlyList<Operation<TInput, TOutput>> history) => [history];

    /// <summary>True if the operation never changes the state wherever it is legal (a read, a failed conditional write).</summary>
    /// <remarks>
    /// Must hold for every state in which <see cref="Step"/> accepts the operation. The search then places such an
    /// operation as soon as it is legal, without trying other orders, which removes most of the branching.
    /// Returning false is always safe.
    /// </remarks>
    bool IsReadOnly(TInput input, TOutput output) => false;

    /// <summary>Value equality of states.</summary>
    bool StateEquals(TState left, TState right);

    /// <summary>A hash consistent with <see cref="StateEquals"/>.</summary>
    int StateHashCode(TState state);

    /// <summary>A short human-readable form of a state, for explanations.</summary>
    string DescribeState(TState state) => state?.ToString() ?? "null";

    /// <summary>A short human-readable form of an operation, for explanations.</summary>
    string DescribeOperation(TInput input, TOutput output) => $"{input} -> {output}";
}
