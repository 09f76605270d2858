using Dfs.Client.ChunkServers;

namespace Dfs.ChunkServer.Membership;

/// <summary>
/// Reports every master must hear once (replicas found corrupt, copies that failed), numbered, so each master's heartbeat
/// loop sends those after the last one that master answered. Keeps the newest <see cref="Capacity"/>: a master unreachable
/// for longer learns the rest from the full report and the copy timeout.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class SequencedReports
{
    public const int Capacity = 4096;

    private readonly Lock _lock = new();
    private readonly List<(long Seq, ReportedChunk Chunk)> _reports = [];
    private long _seq;

    public void Add(ReportedChunk chunk)
    {
        lock (_lock)
        {
            _reports.Add((++_seq, chunk));
            if (_reports.Count > Capacity)
            {
                _reports.RemoveRange(0, _reports.Count - Capacity);
            }
        }
    }

    /// <summary>The reports numbered after <paramref name="since"/> (at most <see cref="HeartbeatProtocol.MaxChunksPerHeartbeat"/>), and the number of the last.</summary>
    public List<ReportedChunk> Since(long since, out long upTo)
    {
        lock (_lock)
        {
            upTo = since;
            var found = new List<ReportedChunk>();
            foreach (var (seq, chunk) in _reports)
            {
                if (seq > since && found.Count < HeartbeatProtocol.MaxChunksPerHeartbeat)
                {
                    found.Add(chunk);
                    upTo = seq;
                }
            }
            return found;
        }
    }
}
