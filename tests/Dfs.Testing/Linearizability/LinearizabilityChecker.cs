using System.Diagnostics;

namespace Dfs.Testing.Linearizability;

/// <summary>Decides whether a concurrent history is linearizable with respect to a sequential model.</summary>
/// <remarks>
/// <para>
/// The search is the Wing–Gong backtracking algorithm with Lowe's memoization, as used by Porcupine: the
/// history becomes a time-ordered list of call and return events; the search repeatedly takes a call whose
/// operation is legal in the current state, "lifts" the operation (its call and return) out of the list and
/// goes on from the head; reaching a return event means that operation should already have been placed, so
/// the search backtracks. A configuration (set of placed operations as a bitset, model state) that was seen
/// before is never explored again. The model may split the history into independent parts (per key), each
/// checked on its own, which keeps the search small. Operations that never change the state (reads, failed
/// compare-and-swaps: <see cref="IModel{TState, TInput, TOutput}.IsReadOnly"/>) are placed as soon as they are
/// legal without branching, which removes most of the search on read-heavy histories.
/// </para>
/// <para>
/// Events at the same time are ordered calls first, so operations that merely touch are treated as
/// concurrent. An operation with return time <see cref="Operation{TInput, TOutput}.Never"/> can be placed
/// anywhere after its call; placing it at the very end is the same as it never taking effect, since nothing
/// observes it there.
/// </para>
/// <para>The check is single-threaded and stateless; concurrent calls are independent.</para>
/// </remarks>
public static class LinearizabilityChecker
{
    /// <summary>Checks <paramref name="history"/> against <paramref name="model"/> within <paramref name="timeout"/>.</summary>
    /// <returns>Ok, Illegal (with the longest linearizable prefix and the operation that could not follow) or Unknown on timeout.</returns>
    /// <exception cref="ArgumentException">An operation returns before it is called.</exception>
    public static LinearizabilityResult<TInput, TOutput> Check<TState, TInput, TOutput>(
        IModel<TState, TInput, TOutput> model,
        IReadOnlyList<Operation<TInput, TOutput>> history,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(history);
        foreach (var operation in history)
        {
            if (operation.ReturnTime < operation.CallTime)
            {
                throw new ArgumentException($"Operation returns before it is called: {operation}", nameof(history));
            }
        }

        var started = Stopwatch.GetTimestamp();
        var deadline = timeout == Timeout.InfiniteTimeSpan || timeout.Ticks >= long.MaxValue / 4
            ? long.MaxValue
            : started + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var partitions = model.Partition(history).ToList();
        int? unknownPartition = null;
        for (var i = 0; i < partitions.Count; i++)
        {
            var search = new WingGongSearch<TState, TInput, TOutput>(model, partitions[i], deadline, cancellationToken);
            var outcome = search.Run();
            if (outcome == LinearizabilityOutcome.Illegal)
            {
                return new LinearizabilityResult<TInput, TOutput>(
                    LinearizabilityOutcome.Illegal,
                    search.ExplainIllegal(i, partitions.Count),
                    partitions.Count,
                    i,
                    search.LongestPrefix,
                    search.Unplaced,
                    Stopwatch.GetElapsedTime(started));
            }

            if (outcome == LinearizabilityOutcome.Unknown)
            {
                unknownPartition ??= i;
                if (cancellationToken.IsCancellationRequested || Stopwatch.GetTimestamp() >= deadline)
                {
                    break;
                }
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        if (unknownPartition is { } unknown)
        {
            var reason = cancellationToken.IsCancellationRequested ? "the check was cancelled" : $"the search exceeded its {timeout.TotalMilliseconds:F0} ms budget";
            return new LinearizabilityResult<TInput, TOutput>(
                LinearizabilityOutcome.Unknown,
                $"No verdict: {reason} while searching partition {unknown} of {partitions.Count} ({partitions[unknown].Count} operations); no violation was found before that.",
                partitions.Count,
                unknown,
                [],
                null,
                elapsed);
        }

        return new LinearizabilityResult<TInput, TOutput>(
            LinearizabilityOutcome.Ok,
            $"Linearizable: {history.Count} operations in {partitions.Count} partitions, checked in {elapsed.TotalMilliseconds:F1} ms.",
            partitions.Count,
            null,
            [],
            null,
            elapsed);
    }
}
