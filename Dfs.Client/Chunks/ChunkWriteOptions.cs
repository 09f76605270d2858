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

    public void Validate()
    {
        if (PacketBytes is < 1 or > 64 * 1024)
        {
            throw new ArgumentException($"PacketBytes must be between 1 and 65536 (is {PacketBytes}).");
        }
        if (WindowPackets < 1)
        {
            throw new ArgumentException($"WindowPackets must be at least 1 (is {WindowPackets}).");
        }
        if (MinReplicas < 1)
        {
            throw new ArgumentException($"MinReplicas must be at least 1 (is {MinReplicas}).");
        }
        if (AckTimeout <= TimeSpan.Zero || ConnectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("Timeouts must be positive.");
        }
    }
}
