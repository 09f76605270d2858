using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Client.ChunkServers;

namespace Dfs.ChunkServer.Membership;

/// <summary>
/// The changes in a store's committed replicas, numbered, so each master's heartbeat loop sends what that master has not
/// acknowledged: <see cref="Refresh()"/> appends what the store committed, replaced or removed since the last refresh. Also
/// the corrupt replicas the store reported and the copies that failed. Bounded: a master further behind than the journal
/// keeps gets a full report.
/// </summary>
/// <remarks>
/// Thread-safe. A refresh asks the store for what changed since the last one, or lists it when the store cannot say; either
/// is shared by every master's loop.
/// </remarks>
internal sealed class ReplicaJournal(IChunkStore store, int maxEntries = 256 * 1024)
{
    private readonly Lock _lock = new();
    private readonly Lock _refreshLock = new();
    private long? _lastRefresh;
    private readonly Queue<Entry> _entries = new();
    private readonly Dictionary<ChunkId, ChunkInfo> _known = [];
    private long? _storeSequence;
    private long _seq;

    /// <summary>The number of the last change recorded.</summary>
    public long Sequence
    {
        get
        {
            lock (_lock)
            {
                return _seq;
            }
        }
    }

    /// <summary>Records what changed in the store, unless the last refresh is more recent than <paramref name="minimumGap"/>: the loops of several masters share one listing.</summary>
    public void Refresh(TimeProvider time, TimeSpan minimumGap)
    {
        lock (_refreshLock)
        {
            var now = time.GetTimestamp();
            if (_lastRefresh is { } last && time.GetElapsedTime(last, now) < minimumGap)
            {
                return;
            }
            RefreshLocked();
            _lastRefresh = now;
        }
    }

    /// <summary>Records what changed in the store since the last refresh.</summary>
    public void Refresh()
    {
        lock (_refreshLock)
        {
            RefreshLocked();
        }
    }

    // Refreshes are serialized whole (listing included), so an older listing never overwrites a newer one. A store that
    // numbers its changes is asked only for what changed since the last refresh; otherwise (or when it no longer remembers
    // that far back) the whole list is compared with the last one.
    private void RefreshLocked()
    {
        if (_storeSequence is { } since && store.ChangesSince(since) is { } changes)
        {
            lock (_lock)
            {
                foreach (var (id, current) in changes.Chunks)
                {
                    Record(id, current);
                }
            }
            _storeSequence = changes.Sequence;
            return;
        }
        // Read before the listing, so the listing holds every change up to it (and perhaps some after, met again next time).
        var sequence = store.ChangeSequence;
        var listed = store.List();
        lock (_lock)
        {
            var held = listed.Select(info => info.Id).ToHashSet();
            foreach (var id in _known.Keys.Where(id => !held.Contains(id)).ToList())
            {
                Record(id, null);
            }
            foreach (var info in listed)
            {
                Record(info.Id, info);
            }
        }
        _storeSequence = sequence;
    }

    // Appends the change if the replica differs from what was last recorded of it.
    private void Record(ChunkId id, ChunkInfo? current)
    {
        var known = _known.TryGetValue(id, out var before);
        if (current is null)
        {
            if (known)
            {
                _known.Remove(id);
                Append(new Entry(++_seq, new ReportedChunk(id.Value, 0, 0), Removed: true));
            }
            return;
        }
        if (!known || before!.Version != current.Version || before.Length != current.Length)
        {
            _known[id] = current;
            Append(new Entry(++_seq, Reported(current), Removed: false));
        }
    }

    /// <summary>Every replica as of now, and the change number it includes, for a full report.</summary>
    public (long Sequence, ReportedChunk[] Chunks) Snapshot()
    {
        Refresh();
        lock (_lock)
        {
            return (_seq, _known.Values.Select(Reported).ToArray());
        }
    }

    /// <summary>
    /// The changes after <paramref name="since"/>, at most <paramref name="max"/> of them, collapsed to each chunk's last
    /// state; false when the journal no longer holds them all (a full report is needed).
    /// </summary>
    public bool TryDelta(long since, int max, out List<ReportedChunk> added, out List<ulong> removed, out long upTo)
    {
        added = [];
        removed = [];
        lock (_lock)
        {
            upTo = since;
            var first = _entries.Count == 0 ? _seq + 1 : _entries.Peek().Seq;
            if (since + 1 < first)
            {
                return false;
            }
            var last = new Dictionary<ulong, Entry>();
            foreach (var entry in _entries)
            {
                if (entry.Seq <= since)
                {
                    continue;
                }
                if (last.Count == max && !last.ContainsKey(entry.Chunk.Id))
                {
                    break;
                }
                last[entry.Chunk.Id] = entry;
                upTo = entry.Seq;
            }
            foreach (var entry in last.Values)
            {
                if (entry.Removed)
                {
                    removed.Add(entry.Chunk.Id);
                }
                else
                {
                    added.Add(entry.Chunk);
                }
            }
            return true;
        }
    }

    /// <summary>Replicas the store found corrupt, for every master to hear once.</summary>
    public SequencedReports Corrupt { get; } = new();

    /// <summary>Copies the leader ordered that failed from every source, for every master to hear once.</summary>
    public SequencedReports FailedCopies { get; } = new();

    private void Append(Entry entry)
    {
        _entries.Enqueue(entry);
        while (_entries.Count > maxEntries)
        {
            _entries.Dequeue();
        }
    }

    public static ReportedChunk Reported(ChunkInfo info) => new(info.Id.Value, info.Version, info.Length);

    private readonly record struct Entry(long Seq, ReportedChunk Chunk, bool Removed);
}
