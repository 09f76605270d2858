namespace Dfs.Testing.Tests;

public sealed class EventuallyTests
{
    [Fact]
    public async Task WaitUntil_ReturnsOnceConditionHolds()
    {
        var flag = 0;
        _ = Task.Run(async () =>
        {
            await Task.Yield();
            Volatile.Write(ref flag, 1);
        });

        await Eventually.WaitUntilAsync(() => Volatile.Read(ref flag) == 1, TimeSpan.FromSeconds(10), () => $"flag={flag}");

        Assert.Equal(1, Volatile.Read(ref flag));
    }

    [Fact]
    public async Task WaitUntil_OnTimeout_NamesExpectationAndLastSeenState()
    {
        var polls = 0;

        var error = await Assert.ThrowsAsync<WaitTimeoutException>(() =>
            Eventually.WaitUntilAsync(() => ++polls > 1_000_000, TimeSpan.FromMilliseconds(50), () => $"polls={polls}"));

        Assert.Contains("expected ++polls > 1_000_000", error.Message, StringComparison.Ordinal);
        Assert.Contains($"last seen: polls={polls}", error.Message, StringComparison.Ordinal);
        Assert.True(polls >= 2, $"the condition is polled repeatedly; it was polled {polls} times");
    }

    [Fact]
    public async Task WaitUntilAsyncCondition_UsesGivenExpectationText()
    {
        var error = await Assert.ThrowsAsync<WaitTimeoutException>(() =>
            Eventually.WaitUntilAsync(_ => ValueTask.FromResult(false), TimeSpan.FromMilliseconds(20), () => "nothing", expected: "a leader"));

        Assert.Contains("expected a leader; last seen: nothing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitUntil_WhenCancelled_ThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Eventually.WaitUntilAsync(() => false, TimeSpan.FromSeconds(10), () => "never", cancellationToken: cts.Token));
    }
}
