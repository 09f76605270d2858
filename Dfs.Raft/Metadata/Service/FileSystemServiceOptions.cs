using Dfs.Client.Metadata;
using Dfs.Common.Configuration;
using Dfs.Common.Validation;

namespace Dfs.Raft.Metadata.Service;

/// <summary>Settings of the masters' file-system service and its garbage collector.</summary>
public sealed record FileSystemServiceOptions
{
    /// <summary>Replicas of each new chunk (config <c>replicationFactor</c>). Default 3.</summary>
    public int ReplicationFactor { get; init; } = 3;

    /// <summary>Versions kept per file (config <c>versionsKept</c>). Default 10.</summary>
    public int VersionsKept { get; init; } = 10;

    /// <summary>Largest file a commit may carry inline, in the version record (config <c>inlineFileBytes</c>; 0: none). Default 64 KiB.</summary>
    public int InlineFileBytes { get; init; } = 64 * 1024;

    /// <summary>How long an allocated chunk may wait for its commit before it is collected as an orphan (config <c>orphanChunkGraceSeconds</c>). Default 1 hour.</summary>
    public TimeSpan OrphanChunkGrace { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long chunks that no kept version references stay on the chunk servers after the leader first sees them: a reader
    /// that looked a version up just before it was dropped can still read it. Default 5 s.
    /// </summary>
    public TimeSpan GarbageGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a change's recorded answer is kept for a client that never sends again. Default 10 minutes (well above a client's call timeout).</summary>
    public TimeSpan OutcomeTtl { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Pause between two garbage-collection passes of the leader. Default 1 s.</summary>
    public TimeSpan CollectInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait a lock request may ask for. Default 5 minutes.</summary>
    public TimeSpan MaxLockWait { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Chunk ids one counter update reserves for this leader. Default 1024.</summary>
    public int ChunkIdBlock { get; init; } = 1024;

    /// <summary>The options a cluster config asks for; the rest keep their defaults.</summary>
    public static FileSystemServiceOptions From(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new FileSystemServiceOptions
        {
            ReplicationFactor = config.ReplicationFactor,
            VersionsKept = config.VersionsKept,
            InlineFileBytes = config.InlineFileBytes,
            OrphanChunkGrace = TimeSpan.FromSeconds(config.OrphanChunkGraceSeconds),
        };
    }

    /// <summary>Checks the options, naming every problem.</summary>
    /// <exception cref="ArgumentException">Every broken rule.</exception>
    public void Validate() =>
        new OptionsCheck()
            .Require(ReplicationFactor >= 1, $"ReplicationFactor must be at least 1 (is {ReplicationFactor}).")
            .Require(VersionsKept is >= 1 and <= 1000, $"VersionsKept must lie in 1..1000 (is {VersionsKept}).")
            .Require(InlineFileBytes is >= 0 and <= NewVersion.MaxInlineBytes, $"InlineFileBytes must lie in 0..{NewVersion.MaxInlineBytes} (is {InlineFileBytes}).")
            .Require(OrphanChunkGrace > TimeSpan.Zero, $"OrphanChunkGrace must be positive (is {OrphanChunkGrace}).")
            .Require(GarbageGrace >= TimeSpan.Zero, $"GarbageGrace must not be negative (is {GarbageGrace}).")
            .Require(OutcomeTtl > TimeSpan.Zero, $"OutcomeTtl must be positive (is {OutcomeTtl}).")
            .Require(CollectInterval > TimeSpan.Zero, $"CollectInterval must be positive (is {CollectInterval}).")
            .Require(MaxLockWait >= TimeSpan.Zero, $"MaxLockWait must not be negative (is {MaxLockWait}).")
            .Require(ChunkIdBlock >= 1, $"ChunkIdBlock must be at least 1 (is {ChunkIdBlock}).")
            .ThrowIfAny();
}
