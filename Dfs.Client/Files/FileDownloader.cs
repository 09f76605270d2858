using System.IO.Pipelines;
using Dfs.Client.Chunks;
using Dfs.Client.Chunks.Protocol;
using Dfs.Client.Metadata;

namespace Dfs.Client.Files;

/// <summary>
/// Reads a byte range of a file version chunk by chunk from its replicas into a stream or a pipe, without the caller
/// seeing replica failures: each chunk falls over across its replicas (errors, corrupt or stale replicas), and when
/// every listed replica failed the replicas are looked up again and the read goes on from the first byte not delivered.
/// </summary>
/// <remarks>An inline version (a small file kept in its version record) is served from the location itself. Only verified bytes are delivered, in order; nothing is buffered beyond the read client's packets (or, into a pipe, the pipe's own memory). Thread-safe.</remarks>
public sealed class FileDownloader
{
    private readonly IMetadataService _metadata;
    private readonly ChunkReadClient _reader;
    private readonly FileTransferOptions _options;

    public FileDownloader(IMetadataService metadata, ChunkReadClient reader, FileTransferOptions? options = null)
    {
        _metadata = metadata;
        _reader = reader;
        _options = options ?? new FileTransferOptions();
    }

    /// <summary>Copies bytes [offset, offset + length) of <paramref name="location"/>'s version into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not within the version.</exception>
    /// <exception cref="ChunkServerException">A chunk could be read from no replica, even after fresh look-ups.</exception>
    public Task DownloadAsync(FileLocation location, long offset, long length, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return DownloadAsync(location, offset, length, (data, ct) => destination.WriteAsync(data, ct), cancellationToken);
    }

    /// <inheritdoc cref="DownloadAsync(FileLocation, long, long, Stream, CancellationToken)"/>
    /// <param name="sent">Called with the byte count of each chunk's range (or the inline content) once it is all in the pipe.</param>
    public Task DownloadAsync(FileLocation location, long offset, long length, PipeWriter destination, CancellationToken cancellationToken,
        Action<long>? sent = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        // Chunks are read with the pipe itself as the read's destination, so a local replica is read straight into the
        // pipe's memory (see ChunkReadClient); the sink serves an inline version.
        return DownloadCoreAsync(location, offset, length, async (data, ct) =>
        {
            var result = await destination.WriteAsync(data, ct);
            if (result.IsCompleted)
            {
                throw new IOException("The destination of the download stopped accepting bytes.");
            }
        }, destination, cancellationToken, sent);
    }

    /// <summary>Hands each verified piece of the range, in order, to <paramref name="sink"/> (the memory is valid only during the call).</summary>
    public Task DownloadAsync(FileLocation location, long offset, long length, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> sink,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        return DownloadCoreAsync(location, offset, length, sink, null, cancellationToken);
    }

    private async Task DownloadCoreAsync(FileLocation location, long offset, long length, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> sink,
        PipeWriter? pipe, CancellationToken cancellationToken, Action<long>? sent = null)
    {
        ArgumentNullException.ThrowIfNull(location);
        var size = location.Version.Size;
        if (offset < 0 || length < 0 || offset > size || length > size - offset)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"Bytes [{offset}, {offset} + {length}) are not within the {size} bytes of {location.Path} v{location.Version.Number}.");
        }
        if (location.Version.Inline is { } inline)
        {
            // A small file kept in its version record: the look-up brought the bytes, checked at commit against the checksum.
            if (length > 0)
            {
                await sink(inline.Slice((int)offset, (int)length), cancellationToken);
                sent?.Invoke(length);
            }
            return;
        }
        var chunks = location.Chunks;
        long chunkStart = 0;
        for (var i = 0; i < chunks.Count && length > 0; i++)
        {
            var chunkLength = chunks[i].Chunk.Length;
            var chunkEnd = chunkStart + chunkLength;
            if (offset < chunkEnd)
            {
                var within = offset - chunkStart;
                var take = Math.Min(length, chunkLength - within);
                var fresh = await ReadChunkAsync(location, i, within, take, sink, pipe, cancellationToken);
                if (fresh is not null)
                {
                    // Later chunks use the replicas of the fresh look-up too: the old list failed for one chunk already.
                    location = fresh;
                    chunks = fresh.Chunks;
                }
                sent?.Invoke(take);
                offset += take;
                length -= take;
            }
            chunkStart = chunkEnd;
        }
    }

    /// <summary>Reads one chunk's range; returns a fresh location if it had to look the replicas up again.</summary>
    /// <param name="pipe">The destination as a pipe, if it is one; else <paramref name="sink"/> gets the bytes.</param>
    private async Task<FileLocation?> ReadChunkAsync(FileLocation location, int index, long offset, long length,
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> sink, PipeWriter? pipe, CancellationToken cancellationToken)
    {
        long delivered = 0;
        async ValueTask Counting(ReadOnlyMemory<byte> data, CancellationToken ct)
        {
            await sink(data, ct);
            delivered += data.Length;
        }

        FileLocation? fresh = null;
        for (var lookup = 0; ; lookup++)
        {
            var chunk = location.Chunks[index];
            try
            {
                var id = new ChunkId(chunk.Chunk.ChunkId);
                ChunkEndpoint[] replicas = [.. chunk.Replicas.Select(r => r.Endpoint)];
                if (pipe is not null)
                {
                    await _reader.ReadAsync(id, chunk.Chunk.ChunkVersion, offset + delivered, length - delivered, replicas, pipe,
                        count => delivered += count, cancellationToken);
                }
                else
                {
                    await _reader.ReadAsync(id, chunk.Chunk.ChunkVersion, offset + delivered, length - delivered, replicas, Counting, cancellationToken);
                }
                return fresh;
            }
            catch (ChunkServerException) when (lookup < _options.ReadLookups && !cancellationToken.IsCancellationRequested)
            {
                // Every listed replica failed: the master may know of others by now (re-replication, a server back, a new
                // leader's first heartbeats), after a pause that doubles with each try.
                var pause = TimeSpan.FromTicks(Math.Min(_options.ReadLookupDelay.Ticks << Math.Min(lookup, 20), TimeSpan.FromSeconds(2).Ticks));
                await Task.Delay(pause, cancellationToken);
                fresh = await _metadata.LookupAsync(location.Path, location.Version.Number, cancellationToken);
                if (fresh.Chunks.Count != location.Chunks.Count || fresh.Chunks[index].Chunk != chunk.Chunk)
                {
                    throw new ChunkServerException(ChunkErrorCode.Conflict,
                        $"{location.Path} v{location.Version.Number} lists different chunks than when the read started.");
                }
                location = fresh;
            }
        }
    }
}
