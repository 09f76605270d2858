using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Client.ChunkServers;

namespace Dfs.ChunkServer.Membership;

/// <summary>
/// The changes in a store's committed replicas, numbered, so each master's heartbeat loop sends what that master has not
/// acknowledged: <see cref="Refresh()"/> compares the store's list with the last one and appends what was added or removed.
/// Also the corrupt replicas the store reported and the copies that failed. Bounded: a master further behind than the journal keeps gets a full report.
/// </summary>
/// <remarks>Thread-safe. One listing of the store per refresh, shared by every master's loop.</remarks>
internal sealed class ReplicaJournal(IChunkStore store, int maxEntries = 256 * 1024)
{
    private readonly Lock _lock = new();
    private readonly Lock _refreshLock = new();
    private long? _lastRefresh;
    private readonly Queue<Entry> _entries = new();
    private Dictionary<ChunkId, ChunkInfo> _known = [];
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

    // Refreshes are serialized whole (listing included), so an older listing never overwrites a newer one.
    private void RefreshLocked()
    {
        var listed = store.List();
        lock (_lock)
        {
            var current = new Dictionary<ChunkId, ChunkInfo>(listed.Count);
            foreach (var info in listed)
            {
                current[info.Id] = info;
                if (!_known.TryGetValue(info.Id, out var before) || before.Version != info.Version || before.Length != info.Length)
                {
                    Append(new Entry(++_seq, Reported(info), Removed: false));
                }
            }
            foreach (var id in _known.Keys)
            {
                if (!current.ContainsKey(id))
                {
                    Append(new Entry(++_seq, new ReportedChunk(id.Value, 0, 0), Removed: true));
                }
            }
            _known = current;
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
