namespace Dfs.Raft.Consensus;

/// <summary>
/// The in-memory view of a node's log: the entries after the latest snapshot, with the snapshot's index
/// and term standing in for everything before.
/// </summary>
internal sealed class RaftLog
{
    private readonly List<LogEntry> _entries = [];

    /// <summary>The last index the snapshot covers (0 without a snapshot).</summary>
    public long SnapshotIndex { get; private set; }

    /// <summary>The term of the entry at <see cref="SnapshotIndex"/> (0 without a snapshot).</summary>
    public long SnapshotTerm { get; private set; }

    public long FirstIndex => SnapshotIndex + 1;

    public long LastIndex => SnapshotIndex + _entries.Count;

    public long LastTerm => _entries.Count == 0 ? SnapshotTerm : _entries[^1].Term;

    public int Count => _entries.Count;

    /// <summary>The term of the entry at <paramref name="index"/>, or null when it is compacted or beyond the end.</summary>
    public long? TryTerm(long index)
    {
        if (index == SnapshotIndex)
        {
            return SnapshotTerm;
        }
        if (index < SnapshotIndex || index > LastIndex)
        {
            return null;
        }
        return _entries[(int)(index - SnapshotIndex - 1)].Term;
    }

    public LogEntry Get(long index)
    {
        if (index <= SnapshotIndex || index > LastIndex)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The log holds indexes {FirstIndex}..{LastIndex}.");
        }
        return _entries[(int)(index - SnapshotIndex - 1)];
    }

    public void Append(LogEntry entry)
    {
        if (entry.Index != LastIndex + 1)
        {
            throw new InvalidOperationException($"Entry {entry.Index} does not follow the last index {LastIndex}.");
        }
        _entries.Add(entry);
    }

    /// <summary>Removes every entry at or after <paramref name="index"/>.</summary>
    public void TruncateFrom(long index)
    {
        if (index <= SnapshotIndex)
        {
            throw new InvalidOperationException($"Cannot truncate at {index}: the snapshot covers up to {SnapshotIndex}.");
        }
        if (index <= LastIndex)
        {
            var start = (int)(index - SnapshotIndex - 1);
            _entries.RemoveRange(start, _entries.Count - start);
        }
    }

    /// <summary>Drops the entries a snapshot at (<paramref name="index"/>, <paramref name="term"/>) covers, keeping the rest.</summary>
    public void CompactThrough(long index, long term)
    {
        if (index <= SnapshotIndex)
        {
            return;
        }
        var drop = (int)Math.Min(index - SnapshotIndex, _entries.Count);
        _entries.RemoveRange(0, drop);
        SnapshotIndex = index;
        SnapshotTerm = term;
    }

    /// <summary>Discards the whole log: it now starts right after a snapshot at (<paramref name="index"/>, <paramref name="term"/>).</summary>
    public void Reset(long index, long term)
    {
        _entries.Clear();
        SnapshotIndex = index;
        SnapshotTerm = term;
    }

    /// <summary>Entries from <paramref name="from"/> through <paramref name="to"/>, stopping once <paramref name="maxBytes"/> is reached (at least one entry).</summary>
    public List<LogEntry> Slice(long from, long to, long maxBytes)
    {
        if (from <= SnapshotIndex)
        {
            throw new ArgumentOutOfRangeException(nameof(from), from, $"Entries up to {SnapshotIndex} are compacted.");
        }
        to = Math.Min(to, LastIndex);
        var result = new List<LogEntry>(to >= from ? (int)Math.Min(to - from + 1, 1024) : 0);
        long bytes = 0;
        for (var i = from; i <= to; i++)
        {
            var entry = _entries[(int)(i - SnapshotIndex - 1)];
            bytes += entry.Size;
            if (result.Count > 0 && bytes > maxBytes)
            {
                break;
            }
            result.Add(entry);
        }
        return result;
    }

    /// <summary>
    /// The largest index at or below <paramref name="index"/> whose term is at most <paramref name="term"/>,
    /// and its term (null when the search reaches compacted entries). Used to skip a whole conflicting term
    /// in one round trip.
    /// </summary>
    public (long Index, long? Term) FindConflictByTerm(long index, long term)
    {
        index = Math.Min(index, LastIndex);
        while (index > SnapshotIndex && _entries[(int)(index - SnapshotIndex - 1)].Term > term)
        {
            index--;
        }
        return (index, TryTerm(index));
    }

    /// <summary>Raft §5.4.1: a log is at least as up to date if its last term is higher, or equal with an index at least as high.</summary>
    public bool IsUpToDate(long lastIndex, long lastTerm) =>
        lastTerm > LastTerm || (lastTerm == LastTerm && lastIndex >= LastIndex);
}
