using Dfs.Client.Metadata;

namespace Dfs.Client.Files;

/// <summary>How <see cref="FileUploader"/> and <see cref="FileDownloader"/> cut and retry. Every field has a documented default.</summary>
public sealed record FileTransferOptions
{
    /// <summary>Bytes per chunk (the cluster's <c>chunkSizeBytes</c>). Default 64 MiB.</summary>
    public long ChunkSizeBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// Uploads of at most this many bytes commit their content inline in the version record (the cluster's <c>inlineFileBytes</c>;
    /// 0: every upload goes to chunk servers). Default 0, so a client that does not know the cluster's setting never sends
    /// content the masters refuse.
    /// </summary>
    public int InlineFileBytes { get; init; }

    /// <summary>
    /// The most chunk allocations one request to the masters draws ahead for the uploads to come, as many as were asked for in
    /// the last moments (1: each chunk asks alone). Default <see cref="ChunkAllocation.MaxPerRequest"/>.
    /// </summary>
    public int AllocationBatch { get; init; } = ChunkAllocation.MaxPerRequest;

    /// <summary>How long an allocation drawn ahead stays fit to use; keep it well below the masters' dead timeout. Default 1 s.</summary>
    public TimeSpan AllocationMaxAge { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>New allocations a chunk may take when its pipeline fails before any of its bytes were read. Default 3.</summary>
    public int ChunkAttempts { get; init; } = 3;

    /// <summary>
    /// Fresh replica look-ups a download makes for a chunk after every listed replica failed (or none was listed: a leader
    /// elected just after a write learns of its replicas from the next heartbeats). Default 5.
    /// </summary>
    public int ReadLookups { get; init; } = 5;

    /// <summary>Pause before the first fresh look-up; each later one waits twice as long, up to 2 s. Default 200 ms.</summary>
    public TimeSpan ReadLookupDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long a probe of a failed pipeline's servers may take. Default 2 s.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The clock that stamps versions. Default the system clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
