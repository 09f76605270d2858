namespace Dfs.Testing.Linearizability;

/// <summary>A linearizable key-value store: one register per key supporting get, put, delete and compare-and-swap.</summary>
/// <remarks>
/// The history is partitioned by key and each key is checked as a single register whose state is its value
/// (null: absent). A Get of an absent key must answer absent (<see cref="KvOutput.Absent"/>). An operation with
/// the unknown output (<see cref="KvOutput.Unknown"/>) is legal in any state: a Put or Delete may or may not
/// have taken effect, a CompareAndSwap swapped exactly if the expected value was there.
/// </remarks>
public sealed class KvModel : IModel<string?, KvInput, KvOutput>
{
    /// <summary>The shared instance (the model has no state of its own).</summary>
    public static KvModel Instance { get; } = new();

    /// <inheritdoc />
    public string? Init() => null;

    /// <inheritdoc />
    public (bool Ok, string? NewState) Step(string? state, KvInput input, KvOutput output)
    {
        switch (input.Kind)
        {
            case KvOperationKind.Get:
                return (output.IsUnknown || string.Equals(output.Value, state, StringComparison.Ordinal), state);
            case KvOperationKind.Put:
                return (true, input.Value);
            case KvOperationKind.Delete:
                return (true, null);
            case KvOperationKind.CompareAndSwap:
                var matches = string.Equals(state, input.Expected, StringComparison.Ordinal);
                if (output.IsUnknown)
                {
                    return (true, matches ? input.Value : state);
                }

                return output.Swapped ? (matches, input.Value) : (!matches, state);
            default:
                throw new ArgumentOutOfRangeException(nameof(input), input.Kind, "Unknown key-value operation.");
        }
    }

    /// <inheritdoc />
    /// <remarks>Gets (answered or not) and compare-and-swaps answered "not swapped" leave the register unchanged.</remarks>
    public bool IsReadOnly(KvInput input, KvOutput output) =>
        input.Kind == KvOperationKind.Get
        || (input.Kind == KvOperationKind.CompareAndSwap && !output.IsUnknown && !output.Swapped);

    /// <inheritdoc />
    public IEnumerable<IReadOnlyList<Operation<KvInput, KvOutput>>> Partition(IReadOnlyList<Operation<KvInput, KvOutput>> history)
    {
        var byKey = new Dictionary<string, List<Operation<KvInput, KvOutput>>>(StringComparer.Ordinal);
        foreach (var operation in history)
        {
            if (!byKey.TryGetValue(operation.Input.Key, out var list))
            {
                list = [];
                byKey.Add(operation.Input.Key, list);
            }

            list.Add(operation);
        }

        return byKey.Values;
    }

    /// <inheritdoc />
    public bool StateEquals(string? left, string? right) => string.Equals(left, right, StringComparison.Ordinal);

    /// <inheritdoc />
    public int StateHashCode(string? state) => state is null ? 0 : StringComparer.Ordinal.GetHashCode(state);

    /// <inheritdoc />
    public string DescribeState(string? state) => state is null ? "absent" : $"\"{state}\"";

    /// <inheritdoc />
    public string DescribeOperation(KvInput input, KvOutput output)
    {
        if (output.IsUnknown)
        {
            return $"{input} -> unknown";
        }

        return input.Kind switch
        {
            KvOperationKind.Get => $"{input} -> {(output.Value is null ? "absent" : $"\"{output.Value}\"")}",
            KvOperationKind.CompareAndSwap => $"{input} -> {(output.Swapped ? "swapped" : "not swapped")}",
            _ => $"{input} -> ok",
        };
    }
}
