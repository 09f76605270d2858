using Dfs.Common.Configuration;
using Dfs.Common.Validation;

namespace Dfs.ChunkServer.Membership;

/// <summary>How a chunk server heartbeats to the masters. Every field but <see cref="ServerId"/> and <see cref="Masters"/> has a default.</summary>
public sealed record ChunkServerHeartbeatOptions
{
    /// <summary>This chunk server's id in the cluster config.</summary>
    public required string ServerId { get; init; }

    /// <summary>Every master of the cluster; each gets its own heartbeat loop and connection.</summary>
    public required IReadOnlyList<MasterAddress> Masters { get; init; }

    /// <summary>Time between two heartbeats to one master. Default 1 s.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one heartbeat (connect, send, answer) may take before the connection is dropped and made again. Default 2 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Copies ordered by the leader that run at once. Default 4.</summary>
    public int MaxConcurrentCopies { get; init; } = 4;

    /// <summary>
    /// How often the masters' book (<see cref="Dfs.Client.Master.MasterBook"/>) is reread, so that a master added or removed
    /// after start gains or loses its heartbeat loop. Zero: never; the masters are those given at start. Default 1 s.
    /// </summary>
    public TimeSpan MembershipRefresh { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The host the masters are told to reach this server at; null: the host it listens on.</summary>
    public string? AdvertisedHost { get; init; }

    /// <summary>The options the cluster config gives chunk server <paramref name="id"/>.</summary>
    public static ChunkServerHeartbeatOptions From(ClusterConfig config, string id)
    {
        ArgumentNullException.ThrowIfNull(config);
        var interval = TimeSpan.FromMilliseconds(config.ChunkServerHeartbeatMs);
        return new ChunkServerHeartbeatOptions
        {
            ServerId = config.ChunkServer(id).Id,
            Masters = config.Masters.Select(m => new MasterAddress(m.Id, m.Host, m.RaftPort)).ToArray(),
            Interval = interval,
            // Long enough for a full-report page on a busy master, short of the point where the masters declare the server dead.
            Timeout = TimeSpan.FromMilliseconds(Math.Max(config.ChunkServerHeartbeatMs * 2, Math.Min(2000, config.ChunkServerDeadMs / 2))),
        };
    }

    /// <exception cref="ArgumentException">Every broken rule, named.</exception>
    public void Validate() => new OptionsCheck()
        .Require(!string.IsNullOrWhiteSpace(ServerId), "ServerId must not be empty.")
        .Require(Masters.Count > 0, "Masters must name at least one master.")
        .Require(Interval > TimeSpan.Zero, $"Interval must be positive (is {Interval}).")
        .Require(Timeout > TimeSpan.Zero, $"Timeout must be positive (is {Timeout}).")
        .Require(MaxConcurrentCopies >= 1, $"MaxConcurrentCopies must be at least 1 (is {MaxConcurrentCopies}).")
        .ThrowIfAny();
}

/// <summary>A master's id and where its Raft port (which also takes heartbeats) listens.</summary>
public sealed record MasterAddress(string Id, string Host, int Port);
