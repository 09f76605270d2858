namespace Dfs.Cli.Demo;

/// <summary>The figures the demo reports, computed from what it recorded.</summary>
internal static class FailoverMath
{
    /// <summary>The median (the mean of the middle two for an even count), or null when there is nothing.</summary>
    public static double? Median(IEnumerable<long> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2.0;
    }

    /// <summary>
    /// The upload that shows writes resumed after a death at <paramref name="killedAtMs"/>: of those started after it, the one
    /// acknowledged first. One started before the death does not count, since its commit may have reached the old leader.
    /// </summary>
    public static UploadRecord? FirstResumed(IEnumerable<UploadRecord> records, long killedAtMs) =>
        records.Where(r => r.Acknowledged && r.StartedMs > killedAtMs).MinBy(r => r.EndedMs);

    /// <summary>Uploads that failed while they overlapped [<paramref name="fromMs"/>, <paramref name="toMs"/>].</summary>
    public static int FailedDuring(IEnumerable<UploadRecord> records, long fromMs, long toMs) =>
        records.Count(r => !r.Acknowledged && r.EndedMs >= fromMs && r.StartedMs <= toMs);

    /// <summary>Uploads started in [<paramref name="fromMs"/>, <paramref name="toMs"/>], acknowledged and failed.</summary>
    public static (int Acknowledged, int Failed) StartedDuring(IEnumerable<UploadRecord> records, long fromMs, long toMs)
    {
        var window = records.Where(r => r.StartedMs >= fromMs && r.StartedMs <= toMs).ToArray();
        return (window.Count(r => r.Acknowledged), window.Count(r => !r.Acknowledged));
    }

    /// <summary>The machine's 1, 5 and 15 minute load averages (from <c>/proc/loadavg</c>), or null where there is none.</summary>
    public static double[]? LoadAverage()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return [.. fields.Take(3).Select(f => double.Parse(f, System.Globalization.CultureInfo.InvariantCulture))];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}
