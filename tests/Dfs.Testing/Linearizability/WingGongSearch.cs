using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Dfs.Testing.Linearizability;

/// <summary>The backtracking search over one partition (see <see cref="LinearizabilityChecker"/>).</summary>
/// <remarks>
/// The event list is a doubly linked list over arrays: node 0 is the head sentinel, nodes 1..2n are the
/// call and return events in time order, -1 is the end. Lifting an operation unlinks its two nodes; since
/// lifts are undone in reverse order, the unlinked nodes' own links still say where to put them back.
/// Each depth keeps its configuration's candidates (the calls before the first return event) and the next
/// one to try, so backtracking resumes where it left off. Operations the model declares read-only are placed
/// as soon as one is legal, with no alternative tried (see <see cref="IModel{TState, TInput, TOutput}.IsReadOnly"/>):
/// if some linearization exists from a configuration, one exists that starts with such an operation.
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

    private readonly HashSet<Configuration> _cache;
    private ulong[] _placed = [];
    private ulong _placedHash;
    private int[] _stackNodes = [];
    private TState[] _stackStates = [];
    private bool[] _stackForced = [];
    private int _depth;
    private TState _state = default!;
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
        _cache = new HashSet<Configuration>(new ConfigurationComparer(model));

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
        _placed = new ulong[(n + 63) / 64];
        _stackNodes = new int[n];
        _stackStates = new TState[n];
        _stackForced = new bool[n];
        _state = _model.Init();
        var readOnly = new bool[n];
        for (var i = 0; i < n; i++)
        {
            readOnly[i] = _model.IsReadOnly(_operations[i].Input, _operations[i].Output);
        }

        // Per depth: the configuration's candidates in the order they are tried, the next one to try, and the
        // first return event (the operation that has to be placed before anything called after it).
        var candidates = new List<int>?[n + 1];
        var position = new int[n + 1];
        var windowEnd = new int[n + 1];
        var fresh = true;
        var steps = 0L;
        while (_next[0] != Nil)
        {
            if (++steps % DeadlineCheckInterval == 0
                && (_cancellationToken.IsCancellationRequested || Stopwatch.GetTimestamp() >= _deadline))
            {
                return LinearizabilityOutcome.Unknown;
            }

            var depth = _depth;
            var list = candidates[depth] ??= [];
            if (fresh)
            {
                fresh = false;
                list.Clear();
                var forced = Nil;
                var node = _next[0];
                for (; _match[node] != Nil; node = _next[node])
                {
                    var index = _operation[node];
                    if (!readOnly[index])
                    {
                        list.Add(node);
                    }
                    else if (forced == Nil && _model.Step(_state, _operations[index].Input, _operations[index].Output).Ok)
                    {
                        forced = node;
                    }
                }

                windowEnd[depth] = node;
                if (forced != Nil)
                {
                    // A read-only operation that is legal now can go first in some linearization if any exists
                    // (it changes no state and nothing unplaced has to precede it), so no other order is tried.
                    if (TryPlace(forced, _state, forced: true))
                    {
                        fresh = true;
                    }
                    else if (!Backtrack())
                    {
                        return LinearizabilityOutcome.Illegal;
                    }

                    continue;
                }

                // Candidates are tried in call order. Trying the soonest-returning first is faster on fully
                // answered histories but much slower once indeterminate operations (never returning) appear.
                position[depth] = 0;
            }

            while (position[depth] < list.Count)
            {
                var node = list[position[depth]++];
                var operation = _operations[_operation[node]];
                var (ok, newState) = _model.Step(_state, operation.Input, operation.Output);
                if (ok && TryPlace(node, newState, forced: false))
                {
                    fresh = true;
                    break;
                }
            }

            if (fresh)
            {
                continue;
            }

            if (depth > _bestDepth)
            {
                _bestDepth = depth;
                _bestPrefix = [.. _stackNodes.AsSpan(0, depth).ToArray().Select(node => _operation[node])];
                _bestUnplaced = _operation[windowEnd[depth]];
                _bestState = _state;
            }

            if (!Backtrack())
            {
                return LinearizabilityOutcome.Illegal;
            }
        }

        return LinearizabilityOutcome.Ok;
    }

    // Places the operation of call node `call` (moving to `newState`) unless that configuration was explored before.
    private bool TryPlace(int call, TState newState, bool forced)
    {
        var index = _operation[call];
        _placed[index >> 6] |= 1UL << index;
        var hash = _placedHash ^ _zobrist[index];
        var probe = new Configuration(_placed, newState, Combine(hash, newState));
        if (_cache.Contains(probe))
        {
            _placed[index >> 6] &= ~(1UL << index);
            return false;
        }

        _cache.Add(probe with { Placed = (ulong[])_placed.Clone() });
        _stackNodes[_depth] = call;
        _stackStates[_depth] = _state;
        _stackForced[_depth] = forced;
        _depth++;
        _state = newState;
        _placedHash = hash;
        Lift(call);
        return true;
    }

    // Undoes placements back to the latest configuration with untried candidates. A forced placement has no
    // alternatives: if it failed, so did the configuration it was made in.
    private bool Backtrack()
    {
        bool forced;
        do
        {
            if (_depth == 0)
            {
                return false;
            }

            _depth--;
            var node = _stackNodes[_depth];
            forced = _stackForced[_depth];
            var index = _operation[node];
            _state = _stackStates[_depth];
            _stackStates[_depth] = default!;
            _placed[index >> 6] &= ~(1UL << index);
            _placedHash ^= _zobrist[index];
            Unlift(node);
        }
        while (forced);

        return true;
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
