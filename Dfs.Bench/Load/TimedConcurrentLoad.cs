using System.Diagnostics;

namespace Dfs.Bench.Load;

/// <summary>
/// A closed loop of concurrent callers for a fixed time: each caller issues its next operation as soon as the last one
/// answered, and every answer's latency is kept.
/// </summary>
internal static class TimedConcurrentLoad
{
    /// <param name="operation">Given the caller's index and its operation count so far; false or an exception counts an error.</param>
    /// <returns>The summary, and the first error seen (null if none).</returns>
    public static async Task<(LatencySummary Summary, string? FirstError)> RunAsync(int callers, TimeSpan duration,
        Func<int, long, Task<bool>> operation)
    {
        var samples = Enumerable.Range(0, callers).Select(_ => new List<long>(4096)).ToArray();
        long errors = 0;
        string? firstError = null;
        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, callers).Select(caller => Task.Run(async () =>
        {
            for (long n = 0; Stopwatch.GetTimestamp() < deadline; n++)
            {
                var begun = Stopwatch.GetTimestamp();
                bool ok;
                try
                {
                    ok = await operation(caller, n);
                    if (!ok)
                    {
                        Interlocked.CompareExchange(ref firstError, $"caller {caller} operation {n} answered with a failure", null);
                    }
                }
                catch (Exception e)
                {
                    ok = false;
                    Interlocked.CompareExchange(ref firstError, $"{e.GetType().Name}: {e.Message}", null);
                }
                if (ok)
                {
                    samples[caller].Add(Stopwatch.GetTimestamp() - begun);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })));
        var elapsed = Stopwatch.GetElapsedTime(started);
        self.Refresh();
        var cpuPercent = (self.TotalProcessorTime - cpuBefore).TotalSeconds / elapsed.TotalSeconds * 100;
        return (LatencySummary.From(samples, errors, elapsed, cpuPercent), firstError);
    }
}
