
namespace Dfs.Raft.Kv;

/// <summary>
/// The ordered key index: a two-level B-tree (a sorted array of leaves, each a sorted array of up to
/// <see cref="LeafCapacity"/> record references), ordered by key bytes. Per key it costs one reference in a leaf
/// beside the record itself; lookups are two binary searches.
/// </summary>
/// <remarks>Not thread-safe; the owner serializes access.</remarks>
internal sealed class KvIndex
{
    public const int LeafCapacity = 128;
    private const int BulkFill = LeafCapacity * 7 / 8;
    private const int MergeBelow = LeafCapacity / 4;

    private Leaf[] _leaves = [];

    // The first record of each leaf, beside the leaves so the leaf search touches one object per probe.
    private byte[][] _firsts = [];
    private int _leafCount;

    /// <summary>Keys held.</summary>
    public int Count { get; private set; }

    /// <summary>The record for <paramref name="key"/>, or null.</summary>
    public byte[]? Get(ReadOnlySpan<byte> key)
    {
        if (_leafCount == 0)
        {
            return null;
        }
        var leaf = _leaves[FindLeaf(key)];
        var slot = Search(leaf, key);
        return slot >= 0 ? leaf.Items[slot] : null;
    }

    /// <summary>Where <paramref name="key"/> is, or would be inserted; valid until the next change.</summary>
    public KvIndexPosition Locate(ReadOnlySpan<byte> key)
    {
        if (_leafCount == 0)
        {
            return new KvIndexPosition(0, 0, false);
        }
        var leafIndex = FindLeaf(key);
        var slot = Search(_leaves[leafIndex], key);
        return slot >= 0 ? new KvIndexPosition(leafIndex, slot, true) : new KvIndexPosition(leafIndex, ~slot, false);
    }

    /// <summary>The record at a found position.</summary>
    public byte[] At(KvIndexPosition position) => _leaves[position.Leaf].Items[position.Slot];

    /// <summary>Inserts <paramref name="record"/>, or replaces the record of the same key; returns the replaced record or null.</summary>
    public byte[]? Set(byte[] record)
    {
        var position = Locate(KvRecord.Key(record));
        if (position.Found)
        {
            var previous = At(position);
            Replace(position, record);
            return previous;
        }
        Insert(position, record);
        return null;
    }

    /// <summary>Puts <paramref name="record"/> (same key) in place of the record at a found position.</summary>
    public void Replace(KvIndexPosition position, byte[] record)
    {
        _leaves[position.Leaf].Items[position.Slot] = record;
        if (position.Slot == 0)
        {
            _firsts[position.Leaf] = record;
        }
    }

    /// <summary>Inserts <paramref name="record"/> at a position <see cref="Locate"/> returned as not found.</summary>
    public void Insert(KvIndexPosition position, byte[] record)
    {
        if (_leafCount == 0)
        {
            InsertLeaf(0, new Leaf());
        }
        var leafIndex = position.Leaf;
        var slot = position.Slot;
        var leaf = _leaves[leafIndex];
        Count++;
        if (leaf.Count == LeafCapacity)
        {
            if (leafIndex == _leafCount - 1 && slot == leaf.Count)
            {
                // Appending past the last key (sequential loads) starts a new leaf, leaving the full one full.
                var next = new Leaf();
                next.Items[0] = record;
                next.Count = 1;
                InsertLeaf(leafIndex + 1, next);
                return;
            }
            Split(leafIndex);
            if (slot > leaf.Count)
            {
                slot -= leaf.Count;
                leafIndex++;
                leaf = _leaves[leafIndex];
            }
        }
        Array.Copy(leaf.Items, slot, leaf.Items, slot + 1, leaf.Count - slot);
        leaf.Items[slot] = record;
        leaf.Count++;
        if (slot == 0)
        {
            _firsts[leafIndex] = record;
        }
    }

    /// <summary>Removes the record for <paramref name="key"/>; returns it, or null when absent.</summary>
    public byte[]? Remove(ReadOnlySpan<byte> key)
    {
        if (_leafCount == 0)
        {
            return null;
        }
        var leafIndex = FindLeaf(key);
        var leaf = _leaves[leafIndex];
        var slot = Search(leaf, key);
        if (slot < 0)
        {
            return null;
        }
        var removed = leaf.Items[slot];
        RemoveRun(leafIndex, slot, 1);
        Count--;
        Rebalance(leafIndex);
        return removed;
    }

    /// <summary>Removes every record with a key in [<paramref name="start"/>, <paramref name="end"/>) (empty end = unbounded), appending them in key order to <paramref name="removed"/>.</summary>
    public void RemoveRange(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, List<byte[]> removed)
    {
        var (leafIndex, slot) = Seek(start);
        while (leafIndex < _leafCount)
        {
            var leaf = _leaves[leafIndex];
            var stop = slot;
            while (stop < leaf.Count && (end.IsEmpty || KvRecord.Key(leaf.Items[stop]).SequenceCompareTo(end) < 0))
            {
                removed.Add(leaf.Items[stop]);
                stop++;
            }
            var run = stop - slot;
            var reachedEnd = stop == leaf.Count;
            if (run > 0)
            {
                Count -= run;
                var leafRemoved = RemoveRun(leafIndex, slot, run);
                if (leafRemoved)
                {
                    slot = 0;
                    continue;
                }
            }
            if (!reachedEnd)
            {
                break;
            }
            leafIndex++;
            slot = 0;
        }
        Rebalance(Math.Min(leafIndex, _leafCount - 1));
        if (leafIndex > 0)
        {
            Rebalance(Math.Min(leafIndex - 1, _leafCount - 1));
        }
    }

    /// <summary>
    /// Appends to <paramref name="output"/> the records with keys in [<paramref name="start"/>, <paramref name="end"/>)
    /// in order, at most <paramref name="limit"/> (0 = all); returns whether more records lay in the range beyond the limit.
    /// </summary>
    public bool CollectRange(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end, int limit, List<byte[]> output)
    {
        var (leafIndex, slot) = Seek(start);
        var taken = 0;
        for (; leafIndex < _leafCount; leafIndex++, slot = 0)
        {
            var leaf = _leaves[leafIndex];
            for (; slot < leaf.Count; slot++)
            {
                var record = leaf.Items[slot];
                if (!end.IsEmpty && KvRecord.Key(record).SequenceCompareTo(end) >= 0)
                {
                    return false;
                }
                if (limit > 0 && taken == limit)
                {
                    return true;
                }
                output.Add(record);
                taken++;
            }
        }
        return false;
    }

    /// <summary>Every record in key order.</summary>
    public IEnumerable<byte[]> All()
    {
        for (var i = 0; i < _leafCount; i++)
        {
            var leaf = _leaves[i];
            for (var j = 0; j < leaf.Count; j++)
            {
                yield return leaf.Items[j];
            }
        }
    }

    /// <summary>Adds a record whose key sorts after every key held (bulk load from a snapshot); leaves are filled to 7/8 so later inserts do not split at once.</summary>
    public void AppendInOrder(byte[] record)
    {
        if (_leafCount == 0 || _leaves[_leafCount - 1].Count >= BulkFill)
        {
            InsertLeaf(_leafCount, new Leaf());
        }
        var leaf = _leaves[_leafCount - 1];
        if (leaf.Count == 0)
        {
            _firsts[_leafCount - 1] = record;
        }
        leaf.Items[leaf.Count++] = record;
        Count++;
    }

    /// <summary>The key of the last record, or empty when there is none.</summary>
    public ReadOnlySpan<byte> LastKey =>
        _leafCount == 0 ? default : KvRecord.Key(_leaves[_leafCount - 1].Items[_leaves[_leafCount - 1].Count - 1]);

    private (int Leaf, int Slot) Seek(ReadOnlySpan<byte> start)
    {
        if (_leafCount == 0)
        {
            return (0, 0);
        }
        var leafIndex = FindLeaf(start);
        var slot = Search(_leaves[leafIndex], start);
        return (leafIndex, slot >= 0 ? slot : ~slot);
    }

    // The last leaf whose first key is <= key (or leaf 0 when key sorts before everything).
    private int FindLeaf(ReadOnlySpan<byte> key)
    {
        int lo = 1, hi = _leafCount - 1, found = 0;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (KvRecord.Key(_firsts[mid]).SequenceCompareTo(key) <= 0)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found;
    }

    private static int Search(Leaf leaf, ReadOnlySpan<byte> key)
    {
        int lo = 0, hi = leaf.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = KvRecord.Key(leaf.Items[mid]).SequenceCompareTo(key);
            if (c == 0)
            {
                return mid;
            }
            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return ~lo;
    }

    private void Split(int leafIndex)
    {
        var leaf = _leaves[leafIndex];
        var right = new Leaf();
        var half = leaf.Count / 2;
        right.Count = leaf.Count - half;
        Array.Copy(leaf.Items, half, right.Items, 0, right.Count);
        Array.Clear(leaf.Items, half, right.Count);
        leaf.Count = half;
        InsertLeaf(leafIndex + 1, right);
    }

    // Returns true when the leaf became empty and was dropped.
    private bool RemoveRun(int leafIndex, int slot, int run)
    {
        var leaf = _leaves[leafIndex];
        Array.Copy(leaf.Items, slot + run, leaf.Items, slot, leaf.Count - slot - run);
        leaf.Count -= run;
        Array.Clear(leaf.Items, leaf.Count, run);
        if (leaf.Count == 0)
        {
            RemoveLeaf(leafIndex);
            return true;
        }
        _firsts[leafIndex] = leaf.Items[0];
        return false;
    }

    // Merges a sparse leaf with its right neighbour when both fit comfortably in one.
    private void Rebalance(int leafIndex)
    {
        if (leafIndex < 0 || leafIndex >= _leafCount || _leaves[leafIndex].Count >= MergeBelow)
        {
            return;
        }
        var left = leafIndex > 0 && _leaves[leafIndex - 1].Count + _leaves[leafIndex].Count <= LeafCapacity * 3 / 4 ? leafIndex - 1 : leafIndex;
        if (left + 1 >= _leafCount)
        {
            return;
        }
        var a = _leaves[left];
        var b = _leaves[left + 1];
        if (a.Count + b.Count > LeafCapacity * 3 / 4)
        {
            return;
        }
        Array.Copy(b.Items, 0, a.Items, a.Count, b.Count);
        a.Count += b.Count;
        RemoveLeaf(left + 1);
    }

    private void InsertLeaf(int index, Leaf leaf)
    {
        if (_leafCount == _leaves.Length)
        {
            Array.Resize(ref _leaves, Math.Max(4, _leaves.Length * 2));
            Array.Resize(ref _firsts, _leaves.Length);
        }
        Array.Copy(_leaves, index, _leaves, index + 1, _leafCount - index);
        Array.Copy(_firsts, index, _firsts, index + 1, _leafCount - index);
        _leaves[index] = leaf;
        _firsts[index] = leaf.Count > 0 ? leaf.Items[0] : null!;
        _leafCount++;
    }

    private void RemoveLeaf(int index)
    {
        _leafCount--;
        Array.Copy(_leaves, index + 1, _leaves, index, _leafCount - index);
        Array.Copy(_firsts, index + 1, _firsts, index, _leafCount - index);
        _leaves[_leafCount] = null!;
        _firsts[_leafCount] = null!;
    }

    private sealed class Leaf
    {
        public readonly byte[][] Items = new byte[LeafCapacity][];
        public int Count;
    }
}

/// <summary>A place in <see cref="KvIndex"/>: a leaf, a slot in it, and whether the key sought is there.</summary>
internal readonly record struct KvIndexPosition(int Leaf, int Slot, bool Found);
