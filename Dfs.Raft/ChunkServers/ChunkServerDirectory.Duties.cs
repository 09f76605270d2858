using Dfs.Client.Chunks.Protocol;
using Dfs.Client.ChunkServers;

namespace Dfs.Raft.ChunkServers;

public sealed partial class ChunkServerDirectory
{
    /// <summary>
    /// One pass of the leader's duties: declares silent servers dead, gives up copies past their timeout, orders stale replicas
    /// deleted, orders copies of chunks below the replication factor, fewest counted replicas first, within the bounds
    /// on copies in flight, and trims chunks above it (a dead server came back after its chunks were copied elsewhere).
    /// The orders go out in the servers' next heartbeat replies.
    /// </summary>
    /// <remarks>Called by <see cref="ChunkServerDuties"/> on the leader only; a test calls it directly.</remarks>
    public void RunDuties()
    {
        lock (_lock)
        {
            RunDutiesLocked(_time.GetTimestamp());
        }
    }

    private void RunDutiesLocked(long now)
    {
        NoteDeaths(now);
        ExpireCopies(now);
        var settled = ReportsSettled(now);
        var needy = new List<(ChunkState Chunk, int Counted)>();
        var under = 0;
        foreach (var chunk in _chunks.Values)
        {
            if (_deleting.Contains(chunk.Id) || chunk.HolderCount == 0)
            {
                continue;
            }
            var counted = 0;
            var current = 0;
            var trimming = ActiveTrims(chunk, now);
            foreach (var (server, version) in Holders(chunk))
            {
                if (version >= chunk.Version && IsAlive(server, now) && chunk.Trimming?.ContainsKey(server.Id) != true)
                {
                    current++;
                    if (!server.Draining)
                    {
                        counted++;
                    }
                }
            }
            if (current > 0)
            {
                OrderStaleDeletes(chunk, now);
            }
            // Writers whose reports have not arrived yet are replicas in all but name: a chunk just written is not under-replicated.
            var expected = ExpectedWriters(chunk, now);
            counted += expected;
            if (settled && counted > _options.ReplicationFactor && expected == 0 && chunk.Copies == 0 && trimming == 0)
            {
                OrderTrims(chunk, counted - _options.ReplicationFactor, now);
            }
            if (counted < _options.ReplicationFactor)
            {
                under++;
                if (current > 0 && counted + chunk.Copies < _options.ReplicationFactor)
                {
                    needy.Add((chunk, counted));
                }
            }
        }
        _underReplicated = under;
        if (needy.Count == 0 || !settled)
        {
            return;
        }
        needy.Sort((a, b) => a.Counted.CompareTo(b.Counted));
        foreach (var (chunk, counted) in needy)
        {
            for (var missing = _options.ReplicationFactor - counted - chunk.Copies; missing > 0; missing--)
            {
                if (_copies.Count >= _options.MaxCopiesInFlight)
                {
                    return;
                }
                if (!OrderCopy(chunk, now))
                {
                    break;
                }
            }
        }
    }

    /// <summary>
    /// Whether this master knows every live server's replicas: it has been up longer than the dead timeout (a server not
    /// yet heard may be alive) and every live server's full report is in. Until then a chunk may only look under-replicated.
    /// </summary>
    private bool ReportsSettled(long now) =>
        _time.GetElapsedTime(_started, now) >= _options.DeadAfter &&
        _servers.Values.All(s => !IsAlive(s, now) || s.ReportComplete);

    private void NoteDeaths(long now)
    {
        foreach (var server in _servers.Values)
        {
            var alive = IsAlive(server, now);
            if (alive != server.WasAlive)
            {
                if (alive)
                {
                    LogAlive(_logger, server.Id);
                }
                else
                {
                    LogDead(_logger, server.Id, (long)_options.DeadAfter.TotalMilliseconds, server.ChunkCount);
                }
                server.WasAlive = alive;
            }
        }
    }

    /// <summary>
    /// Gives up copies that will not land: past their timeout (the target is avoided for the chunk a while), or whose target
    /// or every source has died since the order. A target reports only copies that landed, so such a copy would otherwise
    /// hold the chunk's copy slot for the whole timeout while live replicas it could copy from sit idle.
    /// </summary>
    private void ExpireCopies(long now)
    {
        List<(CopyInFlight Copy, bool TimedOut)>? ended = null;
        foreach (var copy in _copies.Values)
        {
            if (now >= copy.Deadline)
            {
                (ended ??= []).Add((copy, true));
            }
            else if (!IsAlive(_servers[copy.Target], now) || copy.Sources.All(id => !IsAlive(_servers[id], now)))
            {
                (ended ??= []).Add((copy, false));
            }
        }
        foreach (var (copy, timedOut) in ended ?? [])
        {
            _copies.Remove((copy.ChunkId, copy.Target));
            EndCopy(copy);
            if (!timedOut)
            {
                _servers[copy.Target].ReplicateOrders.RemoveAll(o => o.ChunkId == copy.ChunkId);
                LogCopyCannotLand(_logger, copy.ChunkId, copy.Target, string.Join(", ", copy.Sources));
                continue;
            }
            if (_chunks.TryGetValue(copy.ChunkId, out var chunk))
            {
                (chunk.Avoid ??= [])[copy.Target] = now + Ticks(_options.CopyTimeout);
            }
            LogCopyTimedOut(_logger, copy.ChunkId, copy.Target, copy.Source);
        }
    }

    /// <summary>Orders replicas below the chunk's version deleted; the caller checked that a live current replica remains.</summary>
    private void OrderStaleDeletes(ChunkState chunk, long now)
    {
        foreach (var (server, version) in Holders(chunk))
        {
            if (version < chunk.Version && IsAlive(server, now) && server.DeleteOrders.Add(chunk.Id))
            {
                LogStale(_logger, chunk.Id, server.Id, version, chunk.Version);
            }
        }
    }

    /// <summary>Orders <paramref name="surplus"/> current replicas deleted from the fullest live servers that hold them.</summary>
    private void OrderTrims(ChunkState chunk, int surplus, long now)
    {
        var victims = Holders(chunk)
            .Where(h => h.Version >= chunk.Version)
            .Select(h => h.Server)
            .Where(s => IsAlive(s, now) && !s.Draining)
            .OrderBy(s => s.FreeBytes)
            .ThenByDescending(s => s.Load)
            .Take(surplus);
        foreach (var server in victims)
        {
            if (server.DeleteOrders.Add(chunk.Id))
            {
                (chunk.Trimming ??= [])[server.Id] = now + Ticks(2 * _options.DeadAfter);
                LogTrimmed(_logger, chunk.Id, server.Id, chunk.Version);
            }
        }
    }

    /// <returns>How many trims ordered earlier still stand (the holder has not reported the deletion and the order is recent).</returns>
    private int ActiveTrims(ChunkState chunk, long now)
    {
        if (chunk.Trimming is not { } trimming)
        {
            return 0;
        }
        foreach (var (server, until) in trimming)
        {
            if (until <= now || !_servers.TryGetValue(server, out var holder) || !chunk.Holds(holder))
            {
                trimming.Remove(server);
            }
        }
        if (trimming.Count == 0)
        {
            chunk.Trimming = null;
        }
        return trimming.Count;
    }

    /// <returns>False when no source or no target can take another copy now.</returns>
    private bool OrderCopy(ChunkState chunk, long now)
    {
        var sources = Holders(chunk)
            .Where(h => h.Version >= chunk.Version)
            .Select(h => h.Server)
            .Where(s => IsAlive(s, now))
            .OrderBy(s => s.Copies)
            .ThenBy(s => s.Load)
            .ToList();
        var source = sources.FirstOrDefault(s => s.Copies < _options.MaxCopiesPerServer);
        if (source is null)
        {
            return false;
        }
        var targets = Choose(1, now, s => !chunk.Holds(s) && !_copies.ContainsKey((chunk.Id, s.Id)) && !Avoided(chunk, s.Id, now),
            forCopy: true);
        if (targets.Count == 0)
        {
            return false;
        }
        var target = targets[0];
        // The chosen source first; the others are fallbacks the target tries if it fails.
        var ordered = sources.Where(s => s != source).Prepend(source).Take(HeartbeatProtocol.MaxSources).ToArray();
        var copy = new CopyInFlight(chunk.Id, chunk.Version, target.Id, [.. ordered.Select(s => s.Id)], now + Ticks(_options.CopyTimeout));
        _copies[(chunk.Id, target.Id)] = copy;
        chunk.Copies++;
        target.Copies++;
        source.Copies++;
        target.ReplicateOrders.Add(new ReplicateCommand(chunk.Id, chunk.Version, [.. ordered.Select(s => new ChunkEndpoint(s.Host, s.Port))]));
        Interlocked.Increment(ref _copiesOrdered);
        LogCopyOrdered(_logger, chunk.Id, chunk.Version, source.Id, target.Id);
        return true;
    }

    private bool Avoided(ChunkState chunk, string serverId, long now) =>
        chunk.Avoid is { } avoid && avoid.TryGetValue(serverId, out var until) && now < until;

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    // Live, non-draining writers of the chunk's current version that have not reported it yet (see ExpectReplicas).
    private int ExpectedWriters(ChunkState chunk, long now)
    {
        var count = 0;
        foreach (var (writer, (version, until)) in chunk.Expected ?? [])
        {
            if (until > now && version >= chunk.Version && _servers.TryGetValue(writer, out var server) && !chunk.Holds(server) &&
                IsAlive(server, now) && !server.Draining)
            {
                count++;
            }
        }
        return count;
    }
}
