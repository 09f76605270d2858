namespace Dfs.Testing;

/// <summary>A <see cref="TimeProvider"/> whose clock moves only when a test calls <see cref="Advance"/>.</summary>
/// <remarks>
/// <para>
/// <see cref="GetUtcNow"/> and <see cref="GetTimestamp"/> agree: the timestamp counts ticks of
/// <see cref="TimeSpan.TicksPerSecond"/> per second elapsed on the fake clock since construction, so
/// <see cref="TimeProvider.GetElapsedTime(long, long)"/> measures fake time exactly.
/// </para>
/// <para>
/// Timers made by <see cref="CreateTimer"/> (and therefore <c>Task.Delay(…, provider)</c>,
/// <c>new CancellationTokenSource(…, provider)</c> and <c>PeriodicTimer</c>) fire synchronously on the
/// thread that calls <see cref="Advance"/>, in due-time order (ties in the order the timers were armed),
/// with the clock set to each timer's due time while its callback runs. A periodic timer fires once per
/// period crossed. A timer armed with a zero due time fires at the next <see cref="Advance"/>, including
/// <c>Advance(TimeSpan.Zero)</c>; nothing fires on any other call.
/// </para>
/// <para>
/// Thread-safe: the clock and timers may be read, armed, changed and disposed from any thread, and a
/// callback may arm or change timers. Calls to <see cref="Advance"/> are serialized (a callback may call it
/// re-entrantly); callbacks run outside the internal lock.
/// </para>
/// </remarks>
public sealed class FakeTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly Lock _advanceGate = new();
    private readonly DateTimeOffset _start;
    private readonly List<FakeTimer> _armed = [];
    private DateTimeOffset _now;
    private long _nextSequence;

    /// <summary>Creates a clock that starts at <paramref name="start"/> (default 2026-01-01T00:00:00Z).</summary>
    public FakeTimeProvider(DateTimeOffset? start = null)
    {
        _start = start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        _now = _start;
    }

    /// <summary>The fake time elapsed since construction.</summary>
    public TimeSpan Elapsed
    {
        get
        {
            lock (_lock)
            {
                return _now - _start;
            }
        }
    }

    /// <summary>Number of timers currently armed (due to fire on some future <see cref="Advance"/>).</summary>
    public int ArmedTimerCount
    {
        get
        {
            lock (_lock)
            {
                return _armed.Count;
            }
        }
    }

    /// <summary>The due time of the earliest armed timer, or null when none is armed.</summary>
    public DateTimeOffset? NextDueTime
    {
        get
        {
            lock (_lock)
            {
                return FindEarliest()?.DueTime;
            }
        }
    }

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    /// <inheritdoc />
    public override long GetTimestamp()
    {
        lock (_lock)
        {
            return (_now - _start).Ticks;
        }
    }

    /// <summary>Moves the clock forward by <paramref name="delta"/>, firing every timer that falls due on the way.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is negative.</exception>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        lock (_advanceGate)
        {
            DateTimeOffset target;
            lock (_lock)
            {
                target = _now + delta;
            }

            while (true)
            {
                FakeTimer? due;
                TimerCallback callback;
                object? state;
                lock (_lock)
                {
                    due = FindEarliest();
                    if (due is null || due.DueTime > target)
                    {
                        _now = target;
                        return;
                    }

                    if (due.DueTime > _now)
                    {
                        _now = due.DueTime;
                    }

                    callback = due.Callback;
                    state = due.State;
                    if (due.Period > TimeSpan.Zero)
                    {
                        // A periodic timer is re-armed before its callback so that the callback may change it.
                        due.DueTime += due.Period;
                        due.Sequence = _nextSequence++;
                    }
                    else
                    {
                        _armed.Remove(due);
                        due.IsArmed = false;
                    }
                }

                callback(state);
            }
        }
    }

    /// <summary>Sets the clock to <paramref name="value"/>, firing every timer that falls due on the way.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is earlier than the current time.</exception>
    public void SetUtcNow(DateTimeOffset value)
    {
        var now = GetUtcNow();
        if (value < now)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"The fake clock only moves forward; it is at {now:O}.");
        }

        Advance(value - now);
    }

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new FakeTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <inheritdoc />
    public override string ToString() => $"FakeTimeProvider(now={GetUtcNow():O}, armed={ArmedTimerCount})";

    private FakeTimer? FindEarliest()
    {
        FakeTimer? earliest = null;
        foreach (var timer in _armed)
        {
            if (earliest is null
                || timer.DueTime < earliest.DueTime
                || (timer.DueTime == earliest.DueTime && timer.Sequence < earliest.Sequence))
            {
                earliest = timer;
            }
        }

        return earliest;
    }

    private bool ChangeTimer(FakeTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        ValidateInterval(dueTime, nameof(dueTime));
        ValidateInterval(period, nameof(period));
        lock (_lock)
        {
            if (timer.IsDisposed)
            {
                return false;
            }

            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                if (timer.IsArmed)
                {
                    _armed.Remove(timer);
                    timer.IsArmed = false;
                }

                return true;
            }

            timer.DueTime = _now + dueTime;
            timer.Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
            timer.Sequence = _nextSequence++;
            if (!timer.IsArmed)
            {
                _armed.Add(timer);
                timer.IsArmed = true;
            }

            return true;
        }
    }

    private void DisposeTimer(FakeTimer timer)
    {
        lock (_lock)
        {
            timer.IsDisposed = true;
            if (timer.IsArmed)
            {
                _armed.Remove(timer);
                timer.IsArmed = false;
            }
        }
    }

    private static void ValidateInterval(TimeSpan value, string name)
    {
        if (value < TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, value, "A timer interval is zero or more, or Timeout.InfiniteTimeSpan.");
        }
    }

    private sealed class FakeTimer(FakeTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public TimerCallback Callback { get; } = callback;

        public object? State { get; } = state;

        public DateTimeOffset DueTime { get; set; }

        // Zero means one-shot.
        public TimeSpan Period { get; set; }

        public long Sequence { get; set; }

        public bool IsArmed { get; set; }

        public bool IsDisposed { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period) => owner.ChangeTimer(this, dueTime, period);

        public void Dispose() => owner.DisposeTimer(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
