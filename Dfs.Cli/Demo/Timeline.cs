using System.Globalization;

namespace Dfs.Cli.Demo;

/// <summary>
/// The demo's narrative: events in the order they are written, each stamped with the demo's time and the time since the last
/// kill, handed to a listener as they happen (so a person watching sees the story unfold).
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class Timeline(Func<long> clock, Action<TimelineEvent>? onEvent = null)
{
    /// <summary>Width of the time column ("  12.345 s").</summary>
    public const int TimeWidth = 10;

    /// <summary>Width of the since-the-kill column ("+ 1234 ms").</summary>
    public const int SinceWidth = 10;

    private readonly List<TimelineEvent> _events = [];
    private long? _killedAtMs;

    public IReadOnlyList<TimelineEvent> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Starts a new phase: times since a kill are blank until the next <see cref="Kill"/>.</summary>
    public void NewPhase()
    {
        lock (_events)
        {
            _killedAtMs = null;
        }
    }

    /// <summary>Records a kill at <paramref name="atMs"/>: later events count their time from it.</summary>
    public TimelineEvent Kill(long atMs, string text)
    {
        lock (_events)
        {
            _killedAtMs = atMs;
        }
        return Add(TimelineKind.Kill, text, atMs);
    }

    /// <summary>Records an event now, or at <paramref name="atMs"/> when it happened earlier than it is written.</summary>
    public TimelineEvent Add(TimelineKind kind, string text, long? atMs = null)
    {
        TimelineEvent added;
        lock (_events)
        {
            var at = atMs ?? clock();
            added = new TimelineEvent(at, _killedAtMs is { } killed ? at - killed : null, kind, text);
            _events.Add(added);
        }
        onEvent?.Invoke(added);
        return added;
    }

    /// <summary>The time column, right-aligned: seconds since the start with milliseconds.</summary>
    public static string TimeColumn(TimelineEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return (e.AtMs / 1000.0).ToString("0.000", CultureInfo.InvariantCulture).PadLeft(TimeWidth - 2) + " s";
    }

    /// <summary>The since-the-kill column, right-aligned ("+  312 ms"), or blanks of the same width before any kill.</summary>
    public static string SinceColumn(TimelineEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.SinceKillMs is { } since
            ? (since >= 0 ? "+" : "-") + Math.Abs(since).ToString(CultureInfo.InvariantCulture).PadLeft(SinceWidth - 4) + " ms"
            : new string(' ', SinceWidth);
    }

    /// <summary>One line without colour: time, since the kill, the sentence, in aligned columns.</summary>
    public static string PlainLine(TimelineEvent e) => $"{TimeColumn(e)}  {SinceColumn(e)}  {e.Text}";
}
