namespace Dfs.Testing.Tests;

public sealed class FakeTimeProviderTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Advance_MovesUtcNowAndTimestampTogether()
    {
        var time = new FakeTimeProvider(Start);
        var t0 = time.GetTimestamp();

        time.Advance(TimeSpan.FromMilliseconds(1500));

        Assert.Equal(Start.AddMilliseconds(1500), time.GetUtcNow());
        Assert.Equal(TimeSpan.FromMilliseconds(1500), time.GetElapsedTime(t0));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), time.GetElapsedTime(t0, time.GetTimestamp()));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), time.Elapsed);
    }

    [Fact]
    public void Clock_WithoutAdvance_DoesNotMove()
    {
        var time = new FakeTimeProvider(Start);
        var t0 = time.GetTimestamp();

        Assert.Equal(Start, time.GetUtcNow());
        Assert.Equal(t0, time.GetTimestamp());
    }

    [Fact]
    public void Advance_WithNegativeDelta_Throws()
    {
        var time = new FakeTimeProvider(Start);

        Assert.Throws<ArgumentOutOfRangeException>(() => time.Advance(TimeSpan.FromTicks(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => time.SetUtcNow(Start.AddSeconds(-1)));
    }

    [Fact]
    public void OneShotTimer_FiresOnlyWhenDueTimeIsReached_AndOnlyOnce()
    {
        var time = new FakeTimeProvider(Start);
        var fired = new List<DateTimeOffset>();
        using var timer = time.CreateTimer(_ => fired.Add(time.GetUtcNow()), null, TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromSeconds(4.999));
        Assert.Empty(fired);

        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal([Start.AddSeconds(5)], fired);
        Assert.Equal(Start.AddSeconds(14.999), time.GetUtcNow());
        Assert.Equal(0, time.ArmedTimerCount);
    }

    [Fact]
    public void PeriodicTimer_FiresOncePerPeriodCrossed_WithClockAtEachDueTime()
    {
        var time = new FakeTimeProvider(Start);
        var fired = new List<TimeSpan>();
        using var timer = time.CreateTimer(_ => fired.Add(time.Elapsed), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

        time.Advance(TimeSpan.FromSeconds(6));

        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5)], fired);
    }

    [Fact]
    public void Timers_FireInDueTimeOrder_TiesInArmingOrder()
    {
        var time = new FakeTimeProvider(Start);
        var order = new List<string>();
        using var c = time.CreateTimer(_ => order.Add("c"), null, TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan);
        using var a = time.CreateTimer(_ => order.Add("a"), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        using var b1 = time.CreateTimer(_ => order.Add("b1"), null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);
        using var b2 = time.CreateTimer(_ => order.Add("b2"), null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(["a", "b1", "b2", "c"], order);
    }

    [Fact]
    public void Change_ReschedulesFromCurrentTime_AndInfiniteDueTimeDisarms()
    {
        var time = new FakeTimeProvider(Start);
        var count = 0;
        using var timer = time.CreateTimer(_ => count++, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        time.Advance(TimeSpan.FromMilliseconds(900));

        Assert.True(timer.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan));
        time.Advance(TimeSpan.FromMilliseconds(900));
        Assert.Equal(0, count);
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, count);

        Assert.True(timer.Change(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
        Assert.True(timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, count);
    }

    [Fact]
    public void DisposedTimer_NeverFires_AndChangeReturnsFalse()
    {
        var time = new FakeTimeProvider(Start);
        var count = 0;
        var timer = time.CreateTimer(_ => count++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        timer.Dispose();
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(0, count);
        Assert.False(timer.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan));
        Assert.Equal(0, time.ArmedTimerCount);
    }

    [Fact]
    public void Callback_CanReArmItsOwnTimer_AndFiresAgainWithinTheSameAdvance()
    {
        var time = new FakeTimeProvider(Start);
        var fired = new List<TimeSpan>();
        ITimer? timer = null;
        timer = time.CreateTimer(
            _ =>
            {
                fired.Add(time.Elapsed);
                if (fired.Count < 3)
                {
                    timer!.Change(TimeSpan.FromSeconds(fired.Count), Timeout.InfiniteTimeSpan);
                }
            },
            null,
            TimeSpan.FromSeconds(1),
            Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)], fired);
        timer.Dispose();
    }

    [Fact]
    public void ZeroDueTime_FiresAtNextAdvance_EvenOfZero()
    {
        var time = new FakeTimeProvider(Start);
        var count = 0;
        using var timer = time.CreateTimer(_ => count++, null, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        Assert.Equal(0, count);

        time.Advance(TimeSpan.Zero);

        Assert.Equal(1, count);
    }

    [Fact]
    public async Task TaskDelay_WithFakeProvider_CompletesOnlyAfterAdvance()
    {
        var time = new FakeTimeProvider(Start);
        var delay = Task.Delay(TimeSpan.FromSeconds(30), time);
        Assert.False(delay.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(delay.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        await delay.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task PeriodicTimer_WithFakeProvider_TicksOnAdvance()
    {
        var time = new FakeTimeProvider(Start);
        using var periodic = new PeriodicTimer(TimeSpan.FromMilliseconds(100), time);
        var tick = periodic.WaitForNextTickAsync().AsTask();
        Assert.False(tick.IsCompleted);

        time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.True(await tick.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void CancellationTokenSource_WithFakeProvider_CancelsAtDueTime()
    {
        var time = new FakeTimeProvider(Start);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2), time);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(cts.IsCancellationRequested);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(cts.IsCancellationRequested);
    }

    [Fact]
    public async Task ConcurrentTimerCreationAndAdvance_FiresEveryTimerExactlyOnce()
    {
        var time = new FakeTimeProvider(Start);
        const int PerThread = 500;
        var fired = new int[4 * PerThread];
        var timers = new ITimer[4 * PerThread];
        var creators = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                var slot = (t * PerThread) + i;
                timers[slot] = time.CreateTimer(_ => Interlocked.Increment(ref fired[slot]), null, TimeSpan.FromMilliseconds(1 + (i % 7)), Timeout.InfiniteTimeSpan);
            }
        })).ToArray();
        var advancer = Task.Run(() =>
        {
            while (!creators.All(c => c.IsCompleted))
            {
                time.Advance(TimeSpan.FromMilliseconds(1));
            }
        });
        await Task.WhenAll([.. creators, advancer]).WaitAsync(TimeSpan.FromSeconds(30));

        time.Advance(TimeSpan.FromMilliseconds(10));

        Assert.All(fired, count => Assert.Equal(1, count));
        Assert.Equal(0, time.ArmedTimerCount);
        foreach (var timer in timers)
        {
            timer.Dispose();
        }
    }
}
