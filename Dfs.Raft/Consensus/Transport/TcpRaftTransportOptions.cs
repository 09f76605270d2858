using System.Net;
using Dfs.Common.Validation;

namespace Dfs.Raft.Consensus.Transport;

/// <summary>Settings of <see cref="TcpRaftTransport"/>.</summary>
public sealed record TcpRaftTransportOptions
{
    /// <summary>This node's id.</summary>
    public required string NodeId { get; init; }

    /// <summary>Where each peer's Raft listener is, by node id. More can be added later with <see cref="TcpRaftTransport.SetPeer"/>.</summary>
    public IReadOnlyDictionary<string, DnsEndPoint> Peers { get; init; } = new Dictionary<string, DnsEndPoint>();

    /// <summary>Messages queued per peer before the oldest are dropped. Default 4096.</summary>
    public int QueueCapacity { get; init; } = 4096;

    /// <summary>First wait before reconnecting to a peer; doubles per failure up to <see cref="MaxReconnectDelay"/>. Default 20 ms.</summary>
    public TimeSpan MinReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Longest wait between reconnection attempts. Default 1 s.</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest a connection attempt may take. Default 2 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Most messages written before one flush. Default 256.</summary>
    public int MaxBatchMessages { get; init; } = 256;

    /// <summary>Bytes of snapshot payload per chunk frame. Default 1 MiB.</summary>
    public int SnapshotChunkBytes { get; init; } = 1 << 20;

    /// <summary>Received snapshots up to this size stay in memory. Default 4 MiB.</summary>
    public int InMemorySnapshotLimit { get; init; } = 4 << 20;

    /// <summary>Folder for received snapshots larger than <see cref="InMemorySnapshotLimit"/>. Default a folder under the system temp path.</summary>
    public string SnapshotDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "dfs-raft-snapshots");

    /// <summary>
    /// Consulted with (this node, destination) before each send; a message it refuses is dropped, as the network
    /// would lose it. Default none: every message is sent. Lets an in-process test cut a node off from its peers.
    /// </summary>
    public Func<string, string, bool>? SendFilter { get; init; }

    /// <summary>Validates the options, naming every problem.</summary>
    /// <exception cref="ArgumentException">Every broken rule, each starting with the setting's name.</exception>
    public void Validate() => new OptionsCheck()
        .Require(!string.IsNullOrEmpty(NodeId), "NodeId must be set.")
        .Require(QueueCapacity >= 1, $"QueueCapacity must be positive (is {QueueCapacity}).")
        .Require(MaxBatchMessages >= 1, $"MaxBatchMessages must be positive (is {MaxBatchMessages}).")
        .Require(MinReconnectDelay > TimeSpan.Zero && MaxReconnectDelay >= MinReconnectDelay,
            $"MinReconnectDelay ({MinReconnectDelay}) must be positive and at most MaxReconnectDelay ({MaxReconnectDelay}).")
        .Require(ConnectTimeout > TimeSpan.Zero, $"ConnectTimeout must be positive (is {ConnectTimeout}).")
        .Require(SnapshotChunkBytes is >= 4096 and <= 1 << 20, $"SnapshotChunkBytes ({SnapshotChunkBytes}) must be between 4 KiB and 1 MiB.")
        .Require(InMemorySnapshotLimit >= 0, $"InMemorySnapshotLimit ({InMemorySnapshotLimit}) must not be negative.")
        .ThrowIfAny();
}
