namespace Dfs.Nemesis.Workload;

/// <summary>Appends JSON lines to a file from many clients; flushed at every line so a killed workload loses at most one.</summary>
internal sealed class HistoryWriter(string path) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly StreamWriter _writer = new(path, append: true);

    public void Write(string jsonLine)
    {
        lock (_lock)
        {
            _writer.WriteLine(jsonLine);
            _writer.Flush();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _writer.Dispose();
        }
    }
}
