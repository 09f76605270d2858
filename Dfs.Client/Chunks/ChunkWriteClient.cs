using System.IO.Pipelines;
using Dfs.Client.Chunks.Protocol;

namespace Dfs.Client.Chunks;

/// <summary>
/// Streams one chunk into a chain of chunk servers (primary first) and commits it on all of them; if a
/// server fails mid-write, rebuilds the pipeline from the survivors under version + 1 and finishes.
/// </summary>
/// <remarks>
/// Memory per write is bounded by <see cref="ChunkWriteOptions.WindowPackets"/> packets, never a whole
/// chunk: a packet is kept until every replica acknowledged it durable, so it can be resent after a
/// recovery. Thread-safe: each call is an independent write.
/// </remarks>
public sealed class ChunkWriteClient
{
    private readonly ChunkWriteOptions _options;

    public ChunkWriteClient(ChunkWriteOptions? options = null)
    {
        _options = options ?? new ChunkWriteOptions();
        _options.Validate();
    }

    /// <summary>Writes everything <paramref name="source"/> yields as chunk <paramref name="id"/> at <paramref name="version"/>.</summary>
    /// <exception cref="ChunkServerException">Fewer than <see cref="ChunkWriteOptions.MinReplicas"/> replicas could hold the chunk (the code of the last failure, e.g. DiskFull).</exception>
    public Task<ChunkWriteResult> WriteAsync(ChunkId id, long version, IReadOnlyList<ChunkEndpoint> chain, Stream source, CancellationToken cancellationToken) =>
        new PipelineWrite(_options, id, version, chain, PacketSource.From(source)).RunAsync(cancellationToken);

    /// <inheritdoc cref="WriteAsync(ChunkId, long, IReadOnlyList{ChunkEndpoint}, Stream, CancellationToken)"/>
    public Task<ChunkWriteResult> WriteAsync(ChunkId id, long version, IReadOnlyList<ChunkEndpoint> chain, PipeReader source, CancellationToken cancellationToken) =>
        new PipelineWrite(_options, id, version, chain, PacketSource.From(source)).RunAsync(cancellationToken);

    /// <summary>
    /// Writes everything <paramref name="source"/> yields as chunk <paramref name="id"/> at <paramref name="version"/>; each pipeline
    /// recovery takes its new chunk version from <paramref name="bumpVersion"/> (given the current version and the survivors, in order),
    /// so the master, not the writer, decides which replicas are current.
    /// </summary>
    /// <exception cref="ChunkServerException">As the other overloads; also Internal when the bumped version is not above the current one.</exception>
    public Task<ChunkWriteResult> WriteAsync(ChunkId id, long version, IReadOnlyList<ChunkEndpoint> chain, Stream source,
        Func<long, IReadOnlyList<ChunkEndpoint>, CancellationToken, Task<long>>? bumpVersion, CancellationToken cancellationToken) =>
        new PipelineWrite(_options, id, version, chain, PacketSource.From(source)) { BumpVersion = bumpVersion }.RunAsync(cancellationToken);
}
