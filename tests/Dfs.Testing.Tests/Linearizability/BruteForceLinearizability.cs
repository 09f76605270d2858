using Dfs.Testing.Linearizability;

namespace Dfs.Testing.Tests.Linearizability;

/// <summary>
/// An independent reference: tries every order of the whole history (no partitioning, no memoization) that
/// respects real time, with its own key-value semantics. Indeterminate operations may be left out. Only for
/// small histories.
/// </summary>
internal static class BruteForceLinearizability
{
    public static bool IsLinearizable(IReadOnlyList<Operation<KvInput, KvOutput>> history)
    {
        var placed = new bool[history.Count];
        return Search(history, placed, new Dictionary<string, string>(StringComparer.Ordinal));
    }

    private static bool Search(IReadOnlyList<Operation<KvInput, KvOutput>> history, bool[] placed, Dictionary<string, string> store)
    {
        var pendingDeterminate = false;
        for (var i = 0; i < history.Count; i++)
        {
            pendingDeterminate |= !placed[i] && !history[i].IsIndeterminate;
        }

        if (!pendingDeterminate)
        {
            // Whatever indeterminate operations are left never took effect.
            return true;
        }

        for (var x = 0; x < history.Count; x++)
        {
            if (placed[x] || !MayGoNext(history, placed, x))
            {
                continue;
            }

            var snapshot = new Dictionary<string, string>(store, StringComparer.Ordinal);
            if (TryApply(store, history[x]))
            {
                placed[x] = true;
                if (Search(history, placed, store))
                {
                    return true;
                }

                placed[x] = false;
            }

            store.Clear();
            foreach (var (key, value) in snapshot)
            {
                store[key] = value;
            }
        }

        return false;
    }

    // x may be next only if no other unplaced operation finished strictly before x started.
    private static bool MayGoNext(IReadOnlyList<Operation<KvInput, KvOutput>> history, bool[] placed, int x)
    {
        for (var y = 0; y < history.Count; y++)
        {
            if (y != x && !placed[y] && history[y].ReturnTime < history[x].CallTime)
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryApply(Dictionary<string, string> store, Operation<KvInput, KvOutput> operation)
    {
        var input = operation.Input;
        var unknown = operation.IsIndeterminate;
        store.TryGetValue(input.Key, out var current);
        switch (input.Kind)
        {
            case KvOperationKind.Get:
                return unknown || current == operation.Output.Value;
            case KvOperationKind.Put:
                store[input.Key] = input.Value!;
                return true;
            case KvOperationKind.Delete:
                store.Remove(input.Key);
                return true;
            default:
                var matches = current == input.Expected;
                if (unknown || operation.Output.Swapped)
                {
                    if (matches)
                    {
                        store[input.Key] = input.Value!;
                    }

                    return unknown || matches;
                }

                return !matches;
        }
    }
}
