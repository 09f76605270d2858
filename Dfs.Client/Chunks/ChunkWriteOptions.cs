using Dfs.Common.Validation;
using Microsoft.Extensions.Logging;

namespace Dfs.Client.Chunks;

/// <summary>How a <see cref="ChunkWriteClient"/> paces a write and recovers from failures. Every field has a documented default.</summary>
public sealed record ChunkWriteOptions
{
    /// <summary>Bytes per data packet (at most 64 KiB; a store block). Default 64 KiB.</summary>
    public int PacketBytes { get; init; } = 64 * 1024;

    /// <summary>Packets sent but not yet acknowledged by every replica; memory per write is this × <see cref="PacketBytes"/>. Default 64 (4 MiB).</summary>
    public int WindowPackets { get; init; } = 64;

    /// <summary>How long outstanding data may go unacknowledged before the primary is taken for failed. Default 30 s.</summary>
    public TimeSpan AckTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait for a connection, a pipeline setup or a status answer. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Fewest replicas a write may finish with after failures. Default 1.</summary>
    public int MinReplicas { get; init; } = 1;

    /// <summary>Called (on a background thread) each time the whole pipeline acknowledges more bytes, with the acknowledged length.</summary>
    public Action<long>? OnAcknowledged { get; init; }

    /// <summary>The clock for acknowledgement timeouts. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Where pipeline recoveries are logged. Default none.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>Checks the options, naming every problem.</summary>
    /// <exception cref="ArgumentException">Every broken rule, each starting with the setting's name.</exception>
    public void Validate() => new OptionsCheck()
        .Require(PacketBytes is >= 1 and <= 64 * 1024, $"PacketBytes must be between 1 and 65536 (is {PacketBytes}).")
        .Require(WindowPackets >= 1, $"WindowPackets must be at least 1 (is {WindowPackets}).")
        .Require(MinReplicas >= 1, $"MinReplicas must be at least 1 (is {MinReplicas}).")
        .Require(AckTimeout > TimeSpan.Zero, $"AckTimeout must be positive (is {AckTimeout}).")
        .Require(ConnectTimeout > TimeSpan.Zero, $"ConnectTimeout must be positive (is {ConnectTimeout}).")
        .ThrowIfAny();
}
