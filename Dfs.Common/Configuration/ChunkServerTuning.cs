using Dfs.Common.Validation;

namespace Dfs.Common.Configuration;

/// <summary>
/// Tuning of every chunk server of the cluster (<c>chunkServerTuning</c> in config.json). Absent fields keep the chunk
/// server's own defaults, which are documented on its options.
/// </summary>
public sealed record ChunkServerTuning
{
    /// <summary>Average rate at which the scrubber re-verifies stored replicas. Absent: the scrubber's default.</summary>
    public long? ScrubBytesPerSecond { get; init; }

    /// <summary>Pause between two scrubber passes over every replica. Absent: the scrubber's default.</summary>
    public int? ScrubPassIntervalSeconds { get; init; }

    /// <summary>How long a pipeline node waits for the next node's acknowledgement before giving up on it. Absent: the chunk server's default.</summary>
    public int? PipelineAckTimeoutMs { get; init; }

    /// <summary>How long a write that lost its writer stays resumable before its pending data is dropped. Absent: the chunk server's default.</summary>
    public int? PendingWriteTimeoutMs { get; init; }

    internal void Validate(OptionsCheck check) => check
        .Require(ScrubBytesPerSecond is null or > 0, $"chunkServerTuning.scrubBytesPerSecond must be positive (is {ScrubBytesPerSecond}).")
        .Require(ScrubPassIntervalSeconds is null or >= 0, $"chunkServerTuning.scrubPassIntervalSeconds must not be negative (is {ScrubPassIntervalSeconds}).")
        .Require(PipelineAckTimeoutMs is null or > 0, $"chunkServerTuning.pipelineAckTimeoutMs must be positive (is {PipelineAckTimeoutMs}).")
        .Require(PendingWriteTimeoutMs is null or > 0, $"chunkServerTuning.pendingWriteTimeoutMs must be positive (is {PendingWriteTimeoutMs}).");
}
