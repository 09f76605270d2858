using System.Diagnostics;
using Spectre.Console;

namespace Dfs.Cli.Transfers;

/// <summary>Progress bars on stderr: one for the whole batch and one per transfer in flight, with bytes, rate and time left.</summary>
internal sealed class SpectreTransferProgress : ITransferProgress
{
    private const int NameWidth = 40;

    private readonly ProgressContext _context;
    private readonly ProgressTask _total;

    private SpectreTransferProgress(ProgressContext context, ProgressTask total)
    {
        _context = context;
        _total = total;
    }

    /// <summary>
    /// Runs <paramref name="body"/> under live bars on <paramref name="console"/>, then prints one summary line
    /// (<paramref name="verb"/>, files, bytes, time, rate) once the bars are cleared.
    /// </summary>
    public static async Task<T> RunAsync<T>(IAnsiConsole console, string verb, int files, long totalBytes, Func<ITransferProgress, Task<T>> body)
    {
        var started = Stopwatch.GetTimestamp();
        var moved = 0L;
        var result = await console.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new PercentageColumn(),
                new DownloadedColumn(),
                new TransferSpeedColumn(),
                new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var total = context.AddTask($"{verb} {files} file{(files == 1 ? string.Empty : "s")}", maxValue: Math.Max(1, totalBytes));
                try
                {
                    return await body(new SpectreTransferProgress(context, total));
                }
                finally
                {
                    moved = (long)total.Value;
                    total.StopTask();
                }
            });
        var elapsed = Stopwatch.GetElapsedTime(started);
        var rate = elapsed.TotalSeconds > 0 ? moved / elapsed.TotalSeconds : 0;
        console.MarkupLine(Markup.Escape($"{verb} {files} file{(files == 1 ? string.Empty : "s")}, {Sizes.Format(moved)} in {elapsed.TotalSeconds:F1} s ({Sizes.Format((long)rate)}/s)"));
        return result;
    }

    public ITransferItem Start(string name, long? length)
    {
        var shown = name.Length <= NameWidth ? name : "…" + name[^(NameWidth - 1)..];
        var task = _context.AddTask(Markup.Escape(shown), maxValue: Math.Max(1, length ?? 1));
        task.IsIndeterminate = length is null;
        return new Item(task, _total);
    }

    private sealed class Item(ProgressTask task, ProgressTask total) : ITransferItem
    {
        public void Advance(long bytes)
        {
            task.Increment(bytes);
            total.Increment(bytes);
        }

        public void Finish()
        {
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }
}
