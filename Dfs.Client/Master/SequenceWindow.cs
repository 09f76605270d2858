namespace Dfs.Client.Master;

/// <summary>One sequence of exactly-once requests from a <see cref="MasterClient"/>: the next number, and the ones sent and not yet answered.</summary>
internal sealed class SequenceWindow
{
    private readonly SortedSet<long> _outstanding = [];
    private long _next;

    /// <returns>A fresh sequence number, and the lowest one still unanswered (1 when <paramref name="floorAtOne"/>).</returns>
    public (long Sequence, long LowestUnanswered) Take(bool floorAtOne)
    {
        lock (_outstanding)
        {
            var sequence = ++_next;
            _outstanding.Add(sequence);
            return (sequence, floorAtOne ? 1 : _outstanding.Min);
        }
    }

    public void Answered(long sequence)
    {
        lock (_outstanding)
        {
            _outstanding.Remove(sequence);
        }
    }
}
