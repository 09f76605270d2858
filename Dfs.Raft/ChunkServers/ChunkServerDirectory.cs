using Dfs.Client.ChunkServers;
using Dfs.Raft.Master;

namespace Dfs.Raft.ChunkServers;

/// <summary>
/// A master's <see cref="IChunkServerDirectory"/>: every heartbeat of every chunk server reaches every master and updates
/// this soft state (<see cref="OnHeartbeat"/>), so a newly elected leader already knows where every replica is.
/// Membership and drain flags live in the replicated store under <c>C/</c>; the leader writes them, and every master
/// reads them back (<see cref="RefreshMembershipAsync"/>). The leader's duties run in <see cref="RunDuties"/>.
/// </summary>
/// <remarks>Thread-safe: one lock guards the whole view; no call waits on I/O while holding it.</remarks>
public sealed partial class ChunkServerDirectory : IChunkServerDirectory
{
    // Chunks record holders by a 16-bit server index (see ChunkState).
    private const int MaxServers = ushort.MaxValue;

    private readonly Lock _lock = new();
    private readonly ChunkServerDirectoryOptions _options;
    private readonly IMasterKv _kv;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Random _random;
    private readonly long _started;
    private readonly Dictionary<string, ServerState> _servers = new(StringComparer.Ordinal);
    private readonly List<ServerState> _serversByIndex = [];
    private readonly Dictionary<ulong, ChunkState> _chunks = [];
    private readonly HashSet<ulong> _deleting = [];
    private readonly Dictionary<(ulong Chunk, string Target), CopyInFlight> _copies = [];
    private int _underReplicated;
    private long _copiesOrdered;

    public ChunkServerDirectory(ChunkServerDirectoryOptions options, IMasterKv kv, TimeProvider time, ILogger<ChunkServerDirectory> logger, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _kv = kv;
        _time = time;
        _logger = logger;
        _random = random ?? Random.Shared;
        _started = time.GetTimestamp();
    }

    public ChunkServerDirectoryOptions Options => _options;

    private bool IsLeader => _kv.Status.Role == "Leader";

    public IReadOnlyList<ChunkServerAddress> Place(int count, IReadOnlyCollection<string>? exclude = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            var chosen = Choose(count, now, s => exclude?.Contains(s.Id) != true, forCopy: false);
            if (chosen.Count < count)
            {
                var live = _servers.Values.Count(s => IsAlive(s, now));
                throw new NotEnoughChunkServersException(
                    $"A chunk needs {count} chunk servers; {chosen.Count} qualify ({live} live of {_servers.Count} known; draining, full and excluded ones do not count).");
            }
            foreach (var server in chosen)
            {
                server.PendingPlacements++;
            }
            return chosen.Select(s => s.Address).ToArray();
        }
    }

    public IReadOnlyList<ChunkServerAddress> Replicas(ulong chunkId, long minimumVersion)
    {
        lock (_lock)
        {
            if (!_chunks.TryGetValue(chunkId, out var chunk))
            {
                return [];
            }
            var now = _time.GetTimestamp();
            var expected = chunk.Expected?
                .Where(e => e.Value.Version >= minimumVersion && e.Value.Until > now)
                .Select(e => _servers.GetValueOrDefault(e.Key))
                .OfType<ServerState>()
                .Where(s => !chunk.Holds(s)) ?? [];
            return Holders(chunk)
                .Where(h => h.Version >= minimumVersion)
                .Select(h => h.Server)
                .Concat(expected)
                .Where(s => IsAlive(s, now))
                .OrderBy(s => s.Load + s.PendingPlacements)
                .Select(s => s.Address)
                .ToArray();
        }
    }

    public void ExpectReplicas(ulong chunkId, long version, IReadOnlyList<ChunkServerAddress> writers)
    {
        ArgumentNullException.ThrowIfNull(writers);
        lock (_lock)
        {
            var chunk = Chunk(chunkId);
            // A report arrives within a heartbeat or two; past a dead-timeout, only what servers report counts.
            var until = _time.GetTimestamp() + (long)(_options.DeadAfter.TotalSeconds * _time.TimestampFrequency);
            chunk.Expected ??= new Dictionary<string, (long, long)>(StringComparer.Ordinal);
            foreach (var writer in writers)
            {
                chunk.Expected[writer.Id] = (version, until);
            }
        }
    }

    public void SetChunkVersion(ulong chunkId, long version)
    {
        lock (_lock)
        {
            var chunk = Chunk(chunkId);
            chunk.Version = Math.Max(chunk.Version, version);
        }
    }

    public void Delete(IEnumerable<ulong> chunkIds)
    {
        ArgumentNullException.ThrowIfNull(chunkIds);
        lock (_lock)
        {
            foreach (var id in chunkIds)
            {
                if (_chunks.TryGetValue(id, out var chunk) && chunk.HolderCount > 0)
                {
                    _deleting.Add(id);
                }
                else
                {
                    _chunks.Remove(id);
                }
            }
        }
    }

    public bool NoneHeld(IEnumerable<ulong> chunkIds)
    {
        ArgumentNullException.ThrowIfNull(chunkIds);
        lock (_lock)
        {
            return chunkIds.All(id => !_chunks.TryGetValue(id, out var chunk) || chunk.HolderCount == 0);
        }
    }

    /// <summary>Copies this master has ordered as leader since it started (re-replication, repair, drains).</summary>
    public long CopiesOrdered => Interlocked.Read(ref _copiesOrdered);

    public ChunkServersView View()
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            var servers = _servers.Values
                .OrderBy(s => s.Id, StringComparer.Ordinal)
                .Select(s => new ChunkServerView(s.Id, s.Host, s.Port, IsAlive(s, now), s.Draining, s.Draining && IsDrained(s, now),
                    s.CapacityBytes, s.UsedBytes, s.FreeBytes, s.ChunkCount, s.Load, s.Pid,
                    s.LastHeard is { } heard ? (long)_time.GetElapsedTime(heard, now).TotalMilliseconds : -1))
                .ToArray();
            return new ChunkServersView(servers, _options.ReplicationFactor, _underReplicated, _copies.Count);
        }
    }

    private bool IsAlive(ServerState server, long now) =>
        server.LastHeard is { } heard && _time.GetElapsedTime(heard, now) < _options.DeadAfter;

    /// <summary>Whether the replica <paramref name="server"/> holds at <paramref name="version"/> counts toward the chunk's factor.</summary>
    private bool Counts(ServerState server, long version, ChunkState chunk, long now) =>
        version >= chunk.Version && !server.Draining && IsAlive(server, now);

    /// <summary>Every chunk the draining server holds has enough counted replicas elsewhere.</summary>
    private bool IsDrained(ServerState server, long now) =>
        _chunks.Values.Where(chunk => chunk.Holds(server)).All(chunk => _deleting.Contains(chunk.Id) ||
            Holders(chunk).Count(h => h.Server != server && Counts(h.Server, h.Version, chunk, now)) >= _options.ReplicationFactor);

    /// <summary>The chunk's holders with the version each holds, as they are now.</summary>
    private ChunkHolders Holders(ChunkState chunk) => new(chunk.PackedHolders, _serversByIndex);

    /// <summary>
    /// Up to <paramref name="count"/> distinct live servers with room that are not draining and pass <paramref name="accept"/>, best
    /// first: most free space and least load, with a random jitter so near-equals share the work of concurrent writers.
    /// </summary>
    private List<ServerState> Choose(int count, long now, Func<ServerState, bool> accept, bool forCopy)
    {
        var candidates = _servers.Values
            .Where(s => IsAlive(s, now) && !s.Draining && s.FreeBytes >= _options.MinimumFreeBytes && s.Port != 0 && accept(s)
                && (!forCopy || s.Copies < _options.MaxCopiesPerServer))
            .ToList();
        if (candidates.Count == 0)
        {
            return candidates;
        }
        var mostFree = Math.Max(1, candidates.Max(s => s.FreeBytes));
        return candidates
            .Select(s => (Server: s, Score: ((double)s.FreeBytes / mostFree) - (0.1 * (s.Load + s.PendingPlacements + s.Copies)) + (0.05 * _random.NextDouble())))
            .OrderByDescending(c => c.Score)
            .Take(count)
            .Select(c => c.Server)
            .ToList();
    }

    private ChunkState Chunk(ulong id)
    {
        if (!_chunks.TryGetValue(id, out var chunk))
        {
            chunk = new ChunkState(id);
            _chunks[id] = chunk;
        }
        return chunk;
    }

    private ServerState Server(string id)
    {
        if (!_servers.TryGetValue(id, out var server))
        {
            if (_serversByIndex.Count > MaxServers)
            {
                throw new InvalidOperationException($"A master tracks at most {MaxServers + 1} chunk servers; {id} would be one more.");
            }
            server = new ServerState(id, _serversByIndex.Count);
            _servers[id] = server;
            _serversByIndex.Add(server);
        }
        return server;
    }
}
