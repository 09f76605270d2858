using System.Diagnostics;

namespace Dfs.Bench.Load;

/// <summary>Throughput and latency of one measured phase.</summary>
public sealed record LatencySummary(long Operations, long Errors, TimeSpan Elapsed, double P50Ms, double P99Ms, double ClientCpuPercent)
{
    public double OpsPerSecond => Operations / Elapsed.TotalSeconds;

    /// <summary>Summarizes per-worker latency samples (Stopwatch ticks).</summary>
    public static LatencySummary From(IEnumerable<List<long>> samples, long errors, TimeSpan elapsed, double clientCpuPercent)
    {
        var all = samples.SelectMany(s => s).ToArray();
        Array.Sort(all);
        return new LatencySummary(all.Length, errors, elapsed, PercentileMs(all, 0.50), PercentileMs(all, 0.99), clientCpuPercent);
    }

    private static double PercentileMs(long[] sorted, double quantile)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }
        var index = (int)Math.Min(sorted.Length - 1, Math.Ceiling(quantile * sorted.Length) - 1);
        return sorted[Math.Max(0, index)] * 1000.0 / Stopwatch.Frequency;
    }
}
