namespace Dfs.Raft.Tests.Simulation;

/// <summary>Virtual time: events ordered by (time, scheduling order), so a seed replays exactly.</summary>
internal sealed class EventQueue
{
    private readonly PriorityQueue<Action, (long Time, long Sequence)> _queue = new();
    private long _sequence;

    /// <summary>Virtual microseconds.</summary>
    public long Now { get; private set; }

    public void At(long time, Action action) => _queue.Enqueue(action, (Math.Max(time, Now), _sequence++));

    public void After(long delay, Action action) => At(Now + delay, action);

    /// <summary>Runs the next event if it is due at or before <paramref name="until"/>.</summary>
    public bool RunNext(long until)
    {
        if (!_queue.TryPeek(out var action, out var at) || at.Time > until)
        {
            return false;
        }
        _queue.Dequeue();
        Now = at.Time;
        action();
        return true;
    }
}
