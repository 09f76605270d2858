using Dfs.Client.Chunks;

namespace Dfs.ChunkServer.Storage;

/// <summary>
/// The ids of the last replicas a store committed, replaced or removed, numbered, so a reader that saw the store at some
/// number learns what changed since in time proportional to the changes, not to the replicas held.
/// </summary>
/// <remarks>The store notes and reads changes under its own lock; only <see cref="Sequence"/> may be read without it.</remarks>
internal sealed class ReplicaChangeLog(int capacity = ReplicaChangeLog.DefaultCapacity)
{
    /// <summary>Changes remembered: about a minute of a busy server's writes; a reader further behind lists the store.</summary>
    public const int DefaultCapacity = 64 * 1024;

    private readonly Queue<(long Seq, ChunkId Id)> _entries = new();
    private long _sequence;

    /// <summary>The number of the last change; 0 before any. Safe to read without the store's lock: a stale number is only smaller.</summary>
    public long Sequence => Volatile.Read(ref _sequence);

    public void Note(ChunkId id)
    {
        Volatile.Write(ref _sequence, _sequence + 1);
        _entries.Enqueue((_sequence, id));
        while (_entries.Count > capacity)
        {
            _entries.Dequeue();
        }
    }

    /// <summary>
    /// The replicas changed after <paramref name="since"/>, each once and as <paramref name="current"/> says it is now; null
    /// when the log no longer reaches back that far.
    /// </summary>
    public ReplicaChanges? ChangesSince(long since, Func<ChunkId, ChunkInfo?> current) =>
        Since(since) is { } ids ? new ReplicaChanges(Sequence, [.. ids.Select(id => (id, current(id)))]) : null;

    /// <summary>The ids changed after <paramref name="since"/>, each once; null when the log no longer reaches back that far.</summary>
    public HashSet<ChunkId>? Since(long since)
    {
        var first = _entries.Count == 0 ? Sequence + 1 : _entries.Peek().Seq;
        if (since + 1 < first || since > Sequence)
        {
            return null;
        }
        var ids = new HashSet<ChunkId>();
        foreach (var (seq, id) in _entries)
        {
            if (seq > since)
            {
                ids.Add(id);
            }
        }
        return ids;
    }
}
