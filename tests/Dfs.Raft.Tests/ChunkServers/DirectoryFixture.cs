using Dfs.Client.ChunkServers;
using Dfs.Raft.ChunkServers;
using Dfs.Raft.Tests.Master;
using Dfs.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dfs.Raft.Tests.ChunkServers;

/// <summary>A <see cref="ChunkServerDirectory"/> on a fake clock over a non-replicated store, with helpers that play chunk servers' heartbeats.</summary>
internal sealed class DirectoryFixture : IDisposable
{
    public static readonly ChunkServerDirectoryOptions DefaultOptions = new()
    {
        ReplicationFactor = 3,
        DeadAfter = TimeSpan.FromSeconds(5),
        CopyTimeout = TimeSpan.FromSeconds(30),
        MaxCopiesPerServer = 4,
        MaxCopiesInFlight = 64,
        MinimumFreeBytes = 1000,
    };

    public DirectoryFixture(ChunkServerDirectoryOptions? options = null, DirectMasterKv? kv = null)
    {
        _ownsKv = kv is null;
        Kv = kv ?? new DirectMasterKv();
        Directory = new ChunkServerDirectory(options ?? DefaultOptions, Kv, Time, NullLogger<ChunkServerDirectory>.Instance, new Random(7));
    }

    private readonly bool _ownsKv;

    public FakeTimeProvider Time { get; } = new();

    public DirectMasterKv Kv { get; }

    public ChunkServerDirectory Directory { get; }

    /// <summary>A full report (one page) from <paramref name="id"/>.</summary>
    public HeartbeatReply Full(string id, params ReportedChunk[] chunks) => Beat(id, full: true, added: chunks);

    /// <summary>A delta heartbeat from <paramref name="id"/>.</summary>
    public HeartbeatReply Beat(string id, bool full = false, ReportedChunk[]? added = null, ulong[]? removed = null, ReportedChunk[]? corrupt = null,
        long free = 1_000_000, int load = 0, ReportedChunk[]? failedCopies = null) =>
        Directory.OnHeartbeat(new HeartbeatRequest(id, "127.0.0.1", Port(id), free + 100, 100, free, load, 1, full, 0, full,
            added ?? [], removed ?? [], corrupt ?? [])
        { FailedCopies = failedCopies ?? [] });

    /// <summary>Empty deltas from every named server.</summary>
    public Dictionary<string, HeartbeatReply> BeatAll(params string[] ids) => ids.ToDictionary(id => id, id => Beat(id));

    /// <summary>Moves past the start-up wait (a master judges no replica count before it could have heard every server).</summary>
    public void Settle(params string[] ids)
    {
        Time.Advance(DefaultOptions.DeadAfter);
        BeatAll(ids);
    }

    public static int Port(string id) => 7000 + int.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture);

    public static ReportedChunk Chunk(ulong id, long version = 1) => new(id, version, 100);

    public void Dispose()
    {
        if (_ownsKv)
        {
            Kv.Dispose();
        }
    }
}
