using Dfs.Client.Chunks;
using Dfs.Client.Chunks.Protocol;
using Dfs.Client.ChunkServers;
using Dfs.Client.Metadata;

namespace Dfs.Client.Files;

/// <summary>
/// Writes a file: reads its content once, cuts it into chunks, streams each through a write pipeline the master
/// allocated, and commits the new version in one metadata transaction. A content that ends within
/// <see cref="FileTransferOptions.InlineFileBytes"/> is committed inline instead: its bytes travel in the commit itself and
/// no chunk is allocated or written.
/// </summary>
/// <remarks>
/// Memory per upload is bounded by the write window of <see cref="ChunkWriteClient"/>, never a whole chunk. A replica
/// that dies mid-chunk is left out and the survivors go on under a version the master bumps; a pipeline that fails
/// before any byte of its chunk was read is replaced by a new allocation that excludes its dead servers. Anything that
/// stops the upload before the commit (the source failing or ending short, cancellation, too few replicas) commits
/// nothing: the chunks written are orphans that garbage collection reclaims. Thread-safe; uploads are independent.
/// </remarks>
public sealed class FileUploader
{
    private readonly IMetadataService _metadata;
    private readonly ChunkWriteClient _writer;
    private readonly FileTransferOptions _options;
    private readonly ChunkAllocationPool _allocations;

    public FileUploader(IMetadataService metadata, ChunkWriteClient writer, FileTransferOptions? options = null)
    {
        _metadata = metadata;
        _writer = writer;
        _options = options ?? new FileTransferOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.ChunkSizeBytes, 1, nameof(options));
        _allocations = new ChunkAllocationPool(metadata, _options.AllocationBatch, _options.AllocationMaxAge, _options.TimeProvider);
    }

    /// <summary>Where this uploader's chunk allocations come from.</summary>
    public ChunkAllocationPool Allocations => _allocations;

    /// <summary>How this uploader cuts content and which content it keeps inline.</summary>
    public FileTransferOptions Options => _options;

    /// <summary>Uploads <paramref name="content"/> (read once, to its end) as a new version of <paramref name="request"/>'s path.</summary>
    /// <exception cref="MetadataException">The master refused an allocation or the commit (Conflict, Locked, NotADirectory …).</exception>
    /// <exception cref="ChunkServerException">A chunk could not be written to enough replicas.</exception>
    /// <exception cref="IncompleteContentException">The content ended short of (or ran past) its announced length.</exception>
    public async Task<FileUploadResult> UploadAsync(FileUploadRequest request, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(content);
        var threshold = _options.InlineFileBytes;
        if (threshold <= 0 || request.ExpectedLength > threshold)
        {
            return await UploadChunkedAsync(request, new ContentReader(content), cancellationToken);
        }
        // Up to one byte past the threshold tells a small file from a large one; a large one goes on to the chunk path
        // with these bytes as the start of its first chunk, so the content is still read once.
        var head = System.Buffers.ArrayPool<byte>.Shared.Rent(threshold + 1);
        try
        {
            var filled = 0;
            int read;
            while (filled < threshold + 1 && (read = await content.ReadAsync(head.AsMemory(filled, threshold + 1 - filled), cancellationToken)) > 0)
            {
                filled += read;
            }
            if (filled > threshold)
            {
                return await UploadChunkedAsync(request, new ContentReader(content, head.AsMemory(0, filled)), cancellationToken);
            }
            if (request.ExpectedLength is { } expected && expected != filled)
            {
                throw new IncompleteContentException($"The content held {filled} bytes but announced {expected}; nothing was committed.");
            }
            var bytes = head.AsSpan(0, filled);
            var version = new NewVersion(filled, Dfs.Common.Hashing.Crc32C.Compute(bytes), Now(), request.ContentType, [],
                filled == 0 ? (ReadOnlyMemory<byte>?)null : bytes.ToArray());
            return new FileUploadResult(await CommitAsync(request, version, cancellationToken), version, 0);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(head);
        }
    }

    private async Task<FileUploadResult> UploadChunkedAsync(FileUploadRequest request, ContentReader reader, CancellationToken cancellationToken)
    {
        var chunks = new List<ChunkRef>();
        var recoveries = 0;
        Task<ChunkAllocation>? prefetched = null;
        try
        {
            while (await reader.HasMoreAsync(cancellationToken))
            {
                if (chunks.Count >= NewVersion.MaxChunks)
                {
                    throw new MetadataException(MetadataErrorCode.InvalidArgument,
                        $"A file holds at most {NewVersion.MaxChunks} chunks of {_options.ChunkSizeBytes} bytes.");
                }
                var allocation = await (prefetched ?? AllocateAsync(request.Path, null, cancellationToken));
                prefetched = null;
                var (chunk, chunkRecoveries) = await WriteChunkAsync(request.Path, allocation, reader,
                    () => prefetched = AllocateAsync(request.Path, null, cancellationToken), cancellationToken);
                chunks.Add(chunk);
                recoveries += chunkRecoveries;
            }
        }
        finally
        {
            if (prefetched is not null)
            {
                // An allocation the content turned out not to need: its chunk is never written, and nothing waits for it.
                _ = prefetched.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
        }
        if (request.ExpectedLength is { } expected && expected != reader.Length)
        {
            throw new IncompleteContentException(
                $"The content held {reader.Length} bytes but announced {expected}; nothing was committed.");
        }
        var version = new NewVersion(reader.Length, reader.Checksum, Now(), request.ContentType, chunks);
        return new FileUploadResult(await CommitAsync(request, version, cancellationToken), version, recoveries);
    }

    private long Now() => _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Commits <paramref name="version"/>, making the parent directories when they are missing.</summary>
    private async Task<CommitResult> CommitAsync(FileUploadRequest request, NewVersion version, CancellationToken cancellationToken)
    {
        version.Validate();
        CommitResult commit;
        try
        {
            commit = await _metadata.CommitAsync(request.Path, request.Expected, version, request.LockOwner, cancellationToken);
        }
        catch (MetadataException e) when (e.Code == MetadataErrorCode.NotFound && ParentOf(request.Path) is { } parent)
        {
            // Parent directories are made on demand: the common case (they exist) costs nothing extra.
            await _metadata.MkdirAsync(parent, parents: true, cancellationToken);
            commit = await _metadata.CommitAsync(request.Path, request.Expected, version, request.LockOwner, cancellationToken);
        }
        return commit;
    }

    /// <summary>A new chunk for <paramref name="path"/>; too few servers with space is <see cref="InsufficientStorageException"/>.</summary>
    private async Task<ChunkAllocation> AllocateAsync(string path, IReadOnlyCollection<string>? exclude, CancellationToken cancellationToken)
    {
        try
        {
            // A pipeline that avoids failed servers is placed for this chunk alone; any other comes from a batch.
            return exclude is { Count: > 0 }
                ? await _metadata.AllocateChunkAsync(path, exclude, cancellationToken)
                : await _allocations.TakeAsync(path, cancellationToken);
        }
        catch (MetadataException e) when (e.Code == MetadataErrorCode.InvalidArgument)
        {
            throw new InsufficientStorageException(e.Message, e);
        }
    }

    private static string? ParentOf(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash > 0 ? path[..slash] : null;
    }

    /// <summary>Writes the next chunk of <paramref name="reader"/> through <paramref name="allocation"/>'s pipeline, retrying on a new allocation while none of its bytes was read.</summary>
    private async Task<(ChunkRef Chunk, int Recoveries)> WriteChunkAsync(string path, ChunkAllocation allocation, ContentReader reader, Action prefetchNext,
        CancellationToken cancellationToken)
    {
        var recoveries = 0;
        var excluded = new HashSet<string>(StringComparer.Ordinal);
        for (var attempt = 1; ; attempt++)
        {
            var current = allocation;
            var slice = reader.NextChunk(_options.ChunkSizeBytes, prefetchNext);
            try
            {
                var result = await _writer.WriteAsync(current.Id, current.Version, [.. current.Pipeline.Select(s => s.Endpoint)], slice,
                    (version, survivors, ct) => BumpAsync(current, version, survivors, ct), cancellationToken);
                if (slice.Consumed == 0)
                {
                    throw new InvalidOperationException("A chunk was written without reading any of the content.");
                }
                return (new ChunkRef(result.Chunk.Id.Value, result.Chunk.Length, result.Chunk.Checksum, result.Chunk.Version), recoveries + result.Recoveries);
            }
            catch (ChunkServerException) when (slice.Consumed == 0 && attempt < _options.ChunkAttempts && !cancellationToken.IsCancellationRequested)
            {
                // No byte of this chunk left the content yet, so another pipeline can take the whole chunk.
                recoveries++;
                foreach (var dead in await UnreachableAsync(current, cancellationToken))
                {
                    excluded.Add(dead);
                }
                allocation = await AllocateAsync(path, excluded, cancellationToken);
            }
        }
    }

    /// <summary>Asks the master for the version the survivors of <paramref name="allocation"/>'s pipeline resume under.</summary>
    private async Task<long> BumpAsync(ChunkAllocation allocation, long currentVersion, IReadOnlyList<ChunkEndpoint> survivors, CancellationToken cancellationToken)
    {
        var addresses = survivors.Select(e => allocation.Pipeline.First(s => s.Endpoint == e)).ToArray();
        var bumped = await _metadata.BumpChunkVersionAsync(allocation.Id, currentVersion, addresses, cancellationToken);
        return bumped.Version;
    }

    /// <summary>The servers of a failed pipeline that do not answer a status request.</summary>
    private async Task<IEnumerable<string>> UnreachableAsync(ChunkAllocation allocation, CancellationToken cancellationToken)
    {
        var probes = await Task.WhenAll(allocation.Pipeline.Select(async server =>
        {
            await using var client = new ChunkServerClient(server.Endpoint, _options.ProbeTimeout);
            try
            {
                await client.GetStatusAsync(allocation.Id, cancellationToken);
                return (server, Alive: true);
            }
            catch (ChunkServerException)
            {
                return (server, Alive: false);
            }
        }));
        var dead = probes.Where(p => !p.Alive).Select(p => p.server.Id).ToArray();
        // A pipeline that failed with every server answering is excluded whole: something about it failed the write.
        return dead.Length > 0 ? dead : allocation.Pipeline.Select(s => s.Id);
    }
}
