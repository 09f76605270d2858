namespace Dfs.Raft.Consensus;

/// <summary>
/// A leader's pending linearizable reads (thesis §6.4), in request order. Each batch gets a read context;
/// a batch is confirmed when a quorum echoed a context at least as high.
/// </summary>
internal sealed class ReadIndexQueue
{
    private readonly Queue<PendingRead> _confirming = new();
    private readonly List<(long RequestId, long ReadIndex)> _unassigned = [];

    public bool HasUnassigned => _unassigned.Count > 0;

    public int Count => _confirming.Count + _unassigned.Count;

    /// <summary>
    /// Queues a read that waits for the next batch. <paramref name="readIndex"/> is the commit index when it
    /// was asked for, or -1 if the leader had not yet committed an entry of its term (the index is then the
    /// commit index when the batch is formed).
    /// </summary>
    public void Add(long requestId, long readIndex) => _unassigned.Add((requestId, readIndex));

    /// <summary>Gives every waiting read the batch number <paramref name="context"/> (and <paramref name="commitIndex"/> where it had no read index yet).</summary>
    public void AssignBatch(long context, long commitIndex)
    {
        foreach (var (id, readIndex) in _unassigned)
        {
            _confirming.Enqueue(new PendingRead(id, readIndex < 0 ? commitIndex : readIndex, context));
        }
        _unassigned.Clear();
    }

    /// <summary>Moves every read whose batch is at or below <paramref name="confirmedContext"/> to <paramref name="output"/>.</summary>
    public void Release(long confirmedContext, List<ReadState> output)
    {
        while (_confirming.Count > 0 && _confirming.Peek().Context <= confirmedContext)
        {
            var read = _confirming.Dequeue();
            output.Add(new ReadState(read.RequestId, read.ReadIndex));
        }
    }

    public void Clear()
    {
        _confirming.Clear();
        _unassigned.Clear();
    }

    private readonly record struct PendingRead(long RequestId, long ReadIndex, long Context);
}
