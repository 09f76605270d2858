using System.Collections.Immutable;

namespace Dfs.Raft.Consensus.Storage;

/// <summary>
/// A Raft log store in memory that models a disk faithfully enough for simulation: what was synced is kept
/// apart from what was only written, and <see cref="Crash"/> loses the unsynced part (all of it, or all but
/// a random prefix of it).
/// </summary>
/// <remarks>
/// Every write is recorded as a sequence of operations (one per appended entry, one per conflict
/// truncation, hard state, compaction or reset). A crash keeps the synced state plus a random prefix of the
/// unsynced operations, in order: a real disk may have persisted some of them, and a torn last record is
/// the same as losing it because recovery cuts it. The state survives <see cref="Dispose"/>, as files do;
/// a restarted node calls <see cref="Recover"/> on the same instance. Only one thread calls it at a time.
/// </remarks>
public sealed class InMemoryRaftLogStore : IRaftLogStore
{
    private readonly List<Func<LogState, LogState>> _unsynced = [];
    private LogState _durable = LogState.Initial;
    private LogState _current = LogState.Initial;

    /// <summary>Index of the last entry written (synced or not), or the one before the next append when empty.</summary>
    public long LastIndex => _current.LastIndex;

    /// <summary>Index of the last entry that is synced, as above.</summary>
    public long SyncedLastIndex => _durable.LastIndex;

    /// <summary>Operations written since the last <see cref="Sync"/> that a crash may lose.</summary>
    public int UnsyncedOperationCount => _unsynced.Count;

    /// <inheritdoc/>
    public RecoveredLog Recover() => new(_current.HardState, _current.Entries.ToArray());

    /// <inheritdoc/>
    public void Append(IReadOnlyList<LogEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }
        var first = entries[0].Index;
        if (first < _current.FirstIndex || first > _current.LastIndex + 1)
        {
            throw new ArgumentException(
                $"Append starts at index {first}, but the log holds [{_current.FirstIndex}, {_current.LastIndex}]: " +
                $"the first entry must be in [{_current.FirstIndex}, {_current.LastIndex + 1}].", nameof(entries));
        }
        for (var i = 1; i < entries.Count; i++)
        {
            if (entries[i].Index != first + i)
            {
                throw new ArgumentException(
                    $"Entries are not contiguous: position {i} has index {entries[i].Index}, expected {first + i}.",
                    nameof(entries));
            }
        }
        if (first <= _current.LastIndex)
        {
            Write(s => s.TruncateFrom(first));
        }
        foreach (var entry in entries)
        {
            // The caller may reuse its buffers once Append returns, as it may with a file store.
            var copy = entry with { Payload = entry.Payload.ToArray() };
            Write(s => s.AppendOne(copy));
        }
    }

    /// <inheritdoc/>
    public void SetHardState(HardState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Write(s => s with { HardState = state });
    }

    /// <inheritdoc/>
    public void Sync()
    {
        _durable = _current;
        _unsynced.Clear();
    }

    /// <inheritdoc/>
    public void CompactThrough(long index) => Write(s => s.CompactThrough(index));

    /// <inheritdoc/>
    public void Reset(long nextIndex)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nextIndex, 1);
        Write(s => s with { FirstIndex = nextIndex, Entries = [] });
    }

    /// <summary>
    /// Simulates a power loss: unsynced operations are lost, except a random prefix of them (possibly empty,
    /// possibly all) that the disk had already persisted. <see cref="Recover"/> then returns exactly what survived.
    /// </summary>
    public void Crash(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var survivors = random.Next(_unsynced.Count + 1);
        var state = _durable;
        for (var i = 0; i < survivors; i++)
        {
            state = _unsynced[i](state);
        }
        _durable = state;
        _current = state;
        _unsynced.Clear();
    }

    /// <summary>Keeps the state: a disposed store is like a closed file that the next incarnation reopens.</summary>
    public void Dispose()
    {
    }

    private void Write(Func<LogState, LogState> operation)
    {
        _current = operation(_current);
        _unsynced.Add(operation);
    }

    /// <summary>The whole durable content: <see cref="FirstIndex"/> is the index of Entries[0], or of the next append when empty.</summary>
    private sealed record LogState(HardState HardState, long FirstIndex, ImmutableList<LogEntry> Entries)
    {
        public static readonly LogState Initial = new(HardState.Empty, 1, []);

        public long LastIndex => FirstIndex + Entries.Count - 1;

        public LogState AppendOne(LogEntry entry) => this with { Entries = Entries.Add(entry) };

        public LogState TruncateFrom(long index) =>
            this with { Entries = Entries.RemoveRange((int)(index - FirstIndex), (int)(LastIndex - index + 1)) };

        public LogState CompactThrough(long index)
        {
            var drop = (int)Math.Clamp(index - FirstIndex + 1, 0, Entries.Count);
            return drop == 0 ? this : this with { FirstIndex = FirstIndex + drop, Entries = Entries.RemoveRange(0, drop) };
        }
    }
}
