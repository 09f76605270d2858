using System.Diagnostics;

namespace Dfs.Testing.Linearizability;

/// <summary>Records a history of operations issued by concurrent clients, for <see cref="LinearizabilityChecker"/>.</summary>
/// <remarks>
/// <para>
/// A client calls <see cref="Invoke"/> just before sending a request and one of <see cref="Ok"/>,
/// <see cref="Fail"/> or <see cref="Indeterminate"/> just after learning its fate. Times come from
/// <see cref="Stopwatch.GetTimestamp"/> (monotonic, shared by all threads), taken on entry, so the recorded
/// interval always contains the real one. <see cref="Fail"/> is only for requests known not to have taken
/// effect (rejected before any change); a timeout or a lost connection is <see cref="Indeterminate"/>.
/// </para>
/// <para>All members are thread-safe.</para>
/// </remarks>
public sealed class HistoryRecorder<TInput, TOutput>
{
    private readonly Lock _lock = new();
    private readonly TOutput _unknownOutput;
    private readonly long _origin = Stopwatch.GetTimestamp();
    private readonly List<Entry> _entries = [];

    /// <summary>Creates a recorder; <paramref name="unknownOutput"/> is the model's output for indeterminate operations (e.g. <see cref="KvOutput.Unknown"/>).</summary>
    public HistoryRecorder(TOutput unknownOutput)
    {
        _unknownOutput = unknownOutput;
    }

    /// <summary>Number of operations invoked so far.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Records that <paramref name="clientId"/> is about to send <paramref name="input"/>.</summary>
    /// <returns>The handle to complete the operation with.</returns>
    public OperationHandle Invoke(int clientId, TInput input)
    {
        var now = Stopwatch.GetTimestamp() - _origin;
        lock (_lock)
        {
            _entries.Add(new Entry(clientId, input, now));
            return new OperationHandle(_entries.Count - 1);
        }
    }

    /// <summary>Records that the operation completed with <paramref name="output"/>.</summary>
    public void Ok(OperationHandle handle, TOutput output) =>
        Complete(handle, EntryFate.Ok, output, Stopwatch.GetTimestamp() - _origin);

    /// <summary>Records that the operation definitely did not take effect; it is left out of the history.</summary>
    public void Fail(OperationHandle handle) =>
        Complete(handle, EntryFate.Failed, _unknownOutput, Stopwatch.GetTimestamp() - _origin);

    /// <summary>Records that the client cannot know whether the operation took effect (timeout, lost connection).</summary>
    public void Indeterminate(OperationHandle handle) =>
        Complete(handle, EntryFate.Indeterminate, _unknownOutput, Operation<TInput, TOutput>.Never);

    /// <summary>The history so far: completed and indeterminate operations; operations still open count as indeterminate.</summary>
    public IReadOnlyList<Operation<TInput, TOutput>> GetHistory()
    {
        lock (_lock)
        {
            var history = new List<Operation<TInput, TOutput>>(_entries.Count);
            foreach (var entry in _entries)
            {
                switch (entry.Fate)
                {
                    case EntryFate.Ok:
                        history.Add(new(entry.ClientId, entry.Input, entry.Output!, entry.CallTime, entry.ReturnTime));
                        break;
                    case EntryFate.Open:
                    case EntryFate.Indeterminate:
                        history.Add(Operation<TInput, TOutput>.Indeterminate(entry.ClientId, entry.Input, _unknownOutput, entry.CallTime));
                        break;
                    default:
                        break;
                }
            }

            return history;
        }
    }

    private void Complete(OperationHandle handle, EntryFate fate, TOutput output, long returnTime)
    {
        lock (_lock)
        {
            if ((uint)handle.Index >= (uint)_entries.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(handle), handle.Index, "Not an operation of this recorder.");
            }

            var entry = _entries[handle.Index];
            if (entry.Fate != EntryFate.Open)
            {
                throw new InvalidOperationException($"Operation {handle.Index} ({entry.Input}) was already completed as {entry.Fate}.");
            }

            entry.Fate = fate;
            entry.Output = output;
            entry.ReturnTime = returnTime;
        }
    }

    private enum EntryFate
    {
        Open,
        Ok,
        Failed,
        Indeterminate,
    }

    private sealed class Entry(int clientId, TInput input, long callTime)
    {
        public int ClientId { get; } = clientId;

        public TInput Input { get; } = input;

        public long CallTime { get; } = callTime;

        public EntryFate Fate { get; set; }

        public TOutput? Output { get; set; }

        public long ReturnTime { get; set; }
    }
}
