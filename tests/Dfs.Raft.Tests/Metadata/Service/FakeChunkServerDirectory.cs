using System.Collections.Concurrent;
using Dfs.Client.ChunkServers;
using Dfs.Raft.ChunkServers;

namespace Dfs.Raft.Tests.Metadata.Service;

/// <summary>A chunk-server directory the test drives: which servers are live or draining, who holds which chunk, and what the service asked of it.</summary>
internal sealed class FakeChunkServerDirectory : IChunkServerDirectory
{
    private readonly Lock _gate = new();
    private readonly List<ChunkServerAddress> _servers = [];
    private readonly HashSet<string> _dead = [];
    private readonly HashSet<string> _draining = [];
    private readonly Dictionary<ulong, (long Version, List<string> Holders)> _held = [];

    public FakeChunkServerDirectory(int servers = 3)
    {
        for (var i = 1; i <= servers; i++)
        {
            _servers.Add(new ChunkServerAddress($"c{i}", "127.0.0.1", 7200 + i));
        }
    }

    public ConcurrentDictionary<ulong, long> Versions { get; } = new();

    public ConcurrentBag<ulong> DeleteAsked { get; } = [];

    public void Kill(string id)
    {
        lock (_gate)
        {
            _dead.Add(id);
        }
    }

    /// <summary>Servers report holding <paramref name="chunkId"/> at <paramref name="version"/>.</summary>
    public void Hold(ulong chunkId, long version, params string[] servers)
    {
        lock (_gate)
        {
            _held[chunkId] = (version, [.. servers]);
        }
    }

    /// <summary>Every server reports the chunk gone.</summary>
    public void Drop(ulong chunkId)
    {
        lock (_gate)
        {
            _held.Remove(chunkId);
        }
    }

    public IReadOnlyList<ChunkServerAddress> Place(int count, IReadOnlyCollection<string>? exclude = null)
    {
        lock (_gate)
        {
            var usable = _servers.Where(s => !_dead.Contains(s.Id) && !_draining.Contains(s.Id) && !(exclude?.Contains(s.Id) ?? false)).ToList();
            return usable.Count >= count ? usable.Take(count).ToList() : throw new NotEnoughChunkServersException($"{usable.Count} of {count} qualify.");
        }
    }

    public IReadOnlyList<ChunkServerAddress> Replicas(ulong chunkId, long minimumVersion)
    {
        lock (_gate)
        {
            return _held.TryGetValue(chunkId, out var held) && held.Version >= minimumVersion
                ? [.. _servers.Where(s => held.Holders.Contains(s.Id) && !_dead.Contains(s.Id))]
                : [];
        }
    }

    public void SetChunkVersion(ulong chunkId, long version) => Versions[chunkId] = version;

    public void ExpectReplicas(ulong chunkId, long version, IReadOnlyList<ChunkServerAddress> writers)
    {
    }

    public void Delete(IEnumerable<ulong> chunkIds)
    {
        foreach (var id in chunkIds)
        {
            DeleteAsked.Add(id);
        }
    }

    public bool NoneHeld(IEnumerable<ulong> chunkIds)
    {
        lock (_gate)
        {
            return chunkIds.All(id => !_held.ContainsKey(id));
        }
    }

    public ChunkServersView View()
    {
        lock (_gate)
        {
            return new ChunkServersView(
                [.. _servers.Select(s => new ChunkServerView(s.Id, s.Host, s.Port, !_dead.Contains(s.Id), _draining.Contains(s.Id), false, 100, 10, 90, 0, 0, 1, 5))],
                3, 0, 0);
        }
    }

    public Task SetDrainingAsync(string serverId, bool draining, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_servers.All(s => s.Id != serverId))
            {
                throw new ArgumentException($"No chunk server {serverId}.", nameof(serverId));
            }
            if (draining)
            {
                _draining.Add(serverId);
            }
            else
            {
                _draining.Remove(serverId);
            }
        }
        return Task.CompletedTask;
    }
}
