using Dfs.Client.Chunks;
using Dfs.Common.Validation;
namespace Dfs.ChunkServer.Server;

/// <summary>How a chunk server listens and paces its pipelines. Every field has a documented default.</summary>
public sealed record ChunkServerOptions
{
    /// <summary>Address to listen on. Default 127.0.0.1.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>TCP port; 0 lets the OS choose (the bound port is then in <see cref="ChunkServerHost.Endpoint"/>). Default 0.</summary>
    public int Port { get; init; }

    /// <summary>Port of the HTTP listener serving <c>/metrics</c> (0: the OS picks); null: none.</summary>
    public int? MetricsPort { get; init; }

    /// <summary>How long a pipeline node waits for its downstream to acknowledge outstanding data before reporting it failed. Default 10 s.</summary>
    public TimeSpan AckTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long to wait for a TCP connection to a peer and its answer to a setup. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an upstream may stay silent in the middle of a write before the write is abandoned. Default 2 min.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long an interrupted write is kept open for a pipeline recovery before it is released to the store. Default 5 min.</summary>
    public TimeSpan PendingWriteTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Packets written to the local replica between two fsyncs when the inbound queue never runs dry. Default 16 (1 MiB).</summary>
    public int PacketsPerFsync { get; init; } = 16;

    /// <summary>
    /// How long the disk loop waits for a further packet when its queue runs dry before it fsyncs what it has,
    /// so that one fsync covers several packets on a busy pipeline. Default 2 ms; zero fsyncs at once.
    /// </summary>
    public TimeSpan IdleFlushDelay { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Packets received but not yet written locally, per pipeline, before reading from upstream pauses. Default 64 (4 MiB).</summary>
    public int DiskQueuePackets { get; init; } = 64;

    /// <summary>
    /// Whether a reader on this machine may read replica files itself (short-circuit local reads), verifying
    /// every block against the checksums this server gives it. Needs a store that keeps replicas as files and a
    /// reader allowed to open them (the same user). Default true.
    /// </summary>
    public bool ShortCircuitLocalReads { get; init; } = true;

    /// <summary>Checks the options, naming every problem.</summary>
    /// <exception cref="ArgumentException">Every broken rule, each starting with the setting's name.</exception>
    public void Validate() => new OptionsCheck()
        .Require(Port is >= 0 and <= 65535, $"Port must be from 0 to 65535 (is {Port}).")
        .Require(PacketsPerFsync >= 1, $"PacketsPerFsync must be at least 1 (is {PacketsPerFsync}).")
        .Require(DiskQueuePackets >= 1, $"DiskQueuePackets must be at least 1 (is {DiskQueuePackets}).")
        .Require(IdleFlushDelay >= TimeSpan.Zero, $"IdleFlushDelay must not be negative (is {IdleFlushDelay}).")
        .Require(AckTimeout > TimeSpan.Zero, $"AckTimeout must be positive (is {AckTimeout}).")
        .Require(ConnectTimeout > TimeSpan.Zero, $"ConnectTimeout must be positive (is {ConnectTimeout}).")
        .Require(IdleTimeout > TimeSpan.Zero, $"IdleTimeout must be positive (is {IdleTimeout}).")
        .Require(PendingWriteTimeout > TimeSpan.Zero, $"PendingWriteTimeout must be positive (is {PendingWriteTimeout}).")
        .ThrowIfAny();
}
