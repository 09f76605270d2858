namespace Dfs.Raft.Tests.Simulation;

/// <summary>
/// What happened in a run: a digest of every event (two runs of one seed must end with the same digest) and
/// the last notable lines for a failure report.
/// </summary>
internal sealed class SimTrace(int capacity)
{
    private readonly Queue<string> _lines = new();

    public ulong Digest { get; private set; } = Fnv.Offset;

    public long Events { get; private set; }

    public void Mix(long a, long b = 0, long c = 0, long d = 0)
    {
        Events++;
        var h = Fnv.Mix(Digest, a);
        h = Fnv.Mix(h, b);
        h = Fnv.Mix(h, c);
        Digest = Fnv.Mix(h, d);
    }

    public void Note(long timeUs, string text)
    {
        var line = $"{timeUs / 1000.0,10:F3}ms {text}";
        Digest = Fnv.Mix(Digest, line);
        if (_lines.Count == capacity)
        {
            _lines.Dequeue();
        }
        _lines.Enqueue(line);
    }

    public string Render() => string.Join(Environment.NewLine, _lines);
}
