namespace Dfs.Raft.Tests.Support;

/// <summary>Waits on state with a bounded timeout, saying what was expected and what was seen when it times out.</summary>
internal static class Until
{
    public static async Task TrueAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not reached within {timeout.TotalSeconds:0.#} s: {describe()}");
            }
            await Task.Delay(5);
        }
    }

    public static async Task<T> ValueAsync<T>(Func<T?> probe, TimeSpan timeout, Func<string> describe)
        where T : class
    {
        T? value = null;
        await TrueAsync(() => (value = probe()) is not null, timeout, describe);
        return value!;
    }
}
