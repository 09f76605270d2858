using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Dfs.Testing.Linearizability;

/// <summary>The backtracking search over one partition (see <see cref="LinearizabilityChecker"/>).</summary>
/// <remarks>
/// The event list is a doubly linked list over arrays: node 0 is the head sentinel, nodes 1..2n are the
/// call and return events in time order, -1 is the end. Lifting an operation unlinks its two nodes; since
/// lifts are undone in reverse order, the unlinked nodes' own links still say where to put them back.
/// </remarks>
internal sealed class WingGongSearch<TState, TInput, TOutput>
{
    private const int Nil = -1;
    private const int DeadlineCheckInterval = 1024;

    private readonly IModel<TState, TInput, TOutput> _model;
    private readonly IReadOnlyList<Operation<TInput, TOutput>> _operations;
    private readonly long _deadline;
    private readonly CancellationToken _cancellationToken;
    private readonly int[] _next;
    private readonly int[] _prev;
    private readonly int[] _match;      // call node -> its return node; Nil for return nodes
    private readonly int[] _operation;  // node -> operation index
    private readonly ulong[] _zobrist;  // operation index -> random key; the XOR over placed operations hashes the bitset

    private int _bestDepth = -1;
    private int[] _bestPrefix = [];
    private int _bestUnplaced = -1;
    private TState? _bestState;

    public WingGongSearch(
        IModel<TState, TInput, TOutput> model,
        IReadOnlyList<Operation<TInput, TOutput>> operations,
        long deadline,
        CancellationToken cancellationToken)
    {
        _model = model;
        _operations = operations;
        _deadline = deadline;
        _cancellationToken = cancellationToken;
        var n = operations.Count;
        _next = new int[(2 * n) + 1];
        _prev = new int[(2 * n) + 1];
        _match = new int[(2 * n) + 1];
        _operation = new int[(2 * n) + 1];
        _zobrist = new ulong[n];

        var events = new (long Time, int Kind, int Operation)[2 * n];
        for (var i = 0; i < n; i++)
        {
            events[2 * i] = (operations[i].CallTime, 0, i);
            events[(2 * i) + 1] = (operations[i].ReturnTime, 1, i);
        }

        // Calls before returns at equal times: touching operations count as concurrent.
        Array.Sort(events);
        var callNode = new int[n];
        _next[0] = 2 * n > 0 ? 1 : Nil;
        _prev[0] = Nil;
        _match[0] = Nil;
        for (var k = 0; k < events.Length; k++)
        {
            var node = k + 1;
            var (_, kind, op) = events[k];
            _operation[node] = op;
            _prev[node] = node - 1;
            _next[node] = node == events.Length ? Nil : node + 1;
            if (kind == 0)
            {
                callNode[op] = node;
            }
            else
            {
                _match[callNode[op]] = node;
                _match[node] = Nil;
            }
        }

        var seed = 0x9E3779B97F4A7C15UL;
        for (var i = 0; i < n; i++)
        {
            _zobrist[i] = SplitMix64(ref seed);
        }
    }

    public IReadOnlyList<Operation<TInput, TOutput>> LongestPrefix => [.. _bestPrefix.Select(i => _operations[i])];

    public Operation<TInput, TOutput>? Unplaced => _bestUnplaced >= 0 ? _operations[_bestUnplaced] : null;

    public LinearizabilityOutcome Run()
    {
        var n = _operations.Count;
        var placed = new ulong[(n + 63) / 64];
        var placedHash = 0UL;
        var stackNodes = new int[n];
        var stackStates = new TState[n];
        var depth = 0;
        var state = _model.Init();
        var cache = new HashSet<Configuration>(new ConfigurationComparer(_model));
        var entry = _next[0];
        var steps = 0L;

        while (_next[0] != Nil)
        {
            if (++steps % DeadlineCheckInterval == 0
                && (_cancellationToken.IsCancellationRequested || Stopwatch.GetTimestamp() >= _deadline))
            {
                return LinearizabilityOutcome.Unknown;
            }

            if (_match[entry] != Nil)
            {
                var index = _operation[entry];
                var operation = _operations[index];
                var (ok, newState) = _model.Step(state, operation.Input, operation.Output);
                if (ok)
                {
                    placed[index >> 6] |= 1UL << index;
                    var hash = placedHash ^ _zobrist[index];
                    var probe = new Configuration(placed, newState, Combine(hash, newState));
                    if (!cache.Contains(probe))
                    {
                        cache.Add(probe with { Placed = (ulong[])placed.Clone() });
                        stackNodes[depth] = entry;
                        stackStates[depth] = state;
                        depth++;
                        state = newState;
                        placedHash = hash;
                        Lift(entry);
                        entry = _next[0];
                        continue;
                    }

                    placed[index >> 6] &= ~(1UL << index);
                }

                entry = _next[entry];
            }
            else
            {
                if (depth > _bestDepth)
                {
                    _bestDepth = depth;
                    _bestPrefix = [.. stackNodes.AsSpan(0, depth).ToArray().Select(node => _operation[node])];
                    _bestUnplaced = _operation[entry];
                    _bestState = state;
                }

                if (depth == 0)
                {
                    return LinearizabilityOutcome.Illegal;
                }

                depth--;
                var node = stackNodes[depth];
                var index = _operation[node];
                state = stackStates[depth];
                stackStates[depth] = default!;
                placed[index >> 6] &= ~(1UL << index);
                placedHash ^= _zobrist[index];
                Unlift(node);
                entry = _next[node];
            }
        }

        return LinearizabilityOutcome.Ok;
    }

    public string ExplainIllegal(int partitionIndex, int partitionCount)
    {
        const int Shown = 12;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Not linearizable: partition {partitionIndex} of {partitionCount} ({_operations.Count} operations). ");
        text.Append(CultureInfo.InvariantCulture, $"The longest linearizable prefix has {_bestPrefix.Length} operations");
        var state = _model.Init();
        var lines = new List<string>();
        foreach (var index in _bestPrefix)
        {
            var operation = _operations[index];
            state = _model.Step(state, operation.Input, operation.Output).NewState;
            lines.Add($"  {Describe(operation)}  => state {_model.DescribeState(state)}");
        }

        if (lines.Count > Shown)
        {
            text.Append(CultureInfo.InvariantCulture, $" (last {Shown} shown):\n  …\n");
            lines = lines[^Shown..];
        }
        else
        {
            text.Append(lines.Count > 0 ? ":\n" : ".\n");
        }

        foreach (var line in lines)
        {
            text.Append(line).Append('\n');
        }

        if (_bestUnplaced >= 0)
        {
            var unplaced = _operations[_bestUnplaced];
            var legalNow = _model.Step(_bestState!, unplaced.Input, unplaced.Output).Ok;
            text.Append(CultureInfo.InvariantCulture, $"Then this operation cannot be placed: {Describe(unplaced)}; ");
            text.Append(legalNow
                ? $"it is legal in state {_model.DescribeState(_bestState!)}, but then no order of the operations concurrent with it lets the rest of the history follow."
                : $"its result is impossible in state {_model.DescribeState(_bestState!)}, and no order of the operations concurrent with it makes it possible.");
        }

        return text.ToString();
    }

    private string Describe(Operation<TInput, TOutput> operation)
    {
        var returned = operation.IsIndeterminate ? "never" : operation.ReturnTime.ToString(CultureInfo.InvariantCulture);
        return $"client {operation.ClientId} [{operation.CallTime}, {returned}] {_model.DescribeOperation(operation.Input, operation.Output)}";
    }

    private ulong Combine(ulong placedHash, TState state) =>
        placedHash ^ ((ulong)(uint)_model.StateHashCode(state) * 0xC2B2AE3D27D4EB4FUL);

    private void Lift(int call)
    {
        var ret = _match[call];
        _next[_prev[call]] = _next[call];
        _prev[_next[call]] = _prev[call]; // a call is always followed by at least its own return
        _next[_prev[ret]] = _next[ret];
        if (_next[ret] != Nil)
        {
            _prev[_next[ret]] = _prev[ret];
        }
    }

    private void Unlift(int call)
    {
        var ret = _match[call];
        _next[_prev[ret]] = ret;
        if (_next[ret] != Nil)
        {
            _prev[_next[ret]] = ret;
        }

        _next[_prev[call]] = call;
        _prev[_next[call]] = call;
    }

    private static ulong SplitMix64(ref ulong seed)
    {
        var z = seed += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private readonly record struct Configuration(ulong[] Placed, TState State, ulong Hash);

    private sealed class ConfigurationComparer(IModel<TState, TInput, TOutput> model) : IEqualityComparer<Configuration>
    {
        public bool Equals(Configuration x, Configuration y) =>
            x.Hash == y.Hash && x.Placed.AsSpan().SequenceEqual(y.Placed) && model.StateEquals(x.State, y.State);

        public int GetHashCode(Configuration obj) => (int)(obj.Hash ^ (obj.Hash >> 32));
    }
}
