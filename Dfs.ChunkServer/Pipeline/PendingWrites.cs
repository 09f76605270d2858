using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Microsoft.Extensions.Logging;

namespace Dfs.ChunkServer.Pipeline;

/// <summary>
/// The writes in progress on this server and the interrupted ones kept open for a pipeline recovery, by chunk.
/// </summary>
/// <remarks>
/// An interrupted write keeps its <see cref="IChunkWriter"/> here so a recovery can ask how many bytes are
/// durable (Status) and resume it; it is released to the store after
/// <see cref="Server.ChunkServerOptions.PendingWriteTimeout"/>. Taking an entry stops the session that
/// holds it first, so at most one party uses a writer at a time. Thread-safe.
/// </remarks>
internal sealed class PendingWrites(TimeSpan releaseAfter, TimeProvider time, ILogger logger)
{
    private readonly object _gate = new();
    private readonly Dictionary<ChunkId, Entry> _entries = [];

    /// <summary>Registers the writer of a session that is starting.</summary>
    public Entry Register(IChunkWriter writer, PipelineSession? session)
    {
        var entry = new Entry(writer, session);
        lock (_gate)
        {
            _entries[writer.Id] = entry;
        }
        if (session is null)
        {
            StartExpiry(entry);
        }
        return entry;
    }

    /// <summary>The session ended without committing: keep its writer for a recovery, unless someone took it already.</summary>
    public void Park(Entry entry)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(entry.Writer.Id, out var current) || !ReferenceEquals(current, entry))
            {
                return;
            }
            entry.Session = null;
        }
        StartExpiry(entry);
    }

    /// <summary>The write committed (or is abandoned for good): forget it.</summary>
    public void Remove(Entry entry)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(entry.Writer.Id, out var current) && ReferenceEquals(current, entry))
            {
                _entries.Remove(entry.Writer.Id);
            }
        }
        entry.CancelExpiry();
    }

    /// <summary>
    /// Takes the write of <paramref name="id"/> away from whoever holds it (stopping its session and waiting
    /// for it to end); the caller owns the returned writer. Null if there is none.
    /// </summary>
    public async Task<IChunkWriter?> TakeAsync(ChunkId id, CancellationToken cancellationToken)
    {
        Entry? entry;
        lock (_gate)
        {
            if (!_entries.Remove(id, out entry))
            {
                return null;
            }
        }
        entry.CancelExpiry();
        if (entry.Session is { } session)
        {
            session.Abort();
            await session.Completion.WaitAsync(cancellationToken);
        }
        return entry.Writer;
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    private void StartExpiry(Entry entry) => _ = ExpireAsync(entry);

    private async Task ExpireAsync(Entry entry)
    {
        try
        {
            await Task.Delay(releaseAfter, time, entry.ExpiryToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        lock (_gate)
        {
            if (!_entries.TryGetValue(entry.Writer.Id, out var current) || !ReferenceEquals(current, entry) || entry.Session is not null)
            {
                return;
            }
            _entries.Remove(entry.Writer.Id);
        }
        Log.PendingExpired(logger, entry.Writer.Id, releaseAfter);
        await entry.Writer.DisposeAsync();
    }

    /// <summary>One chunk's write: its writer and the session using it, if any.</summary>
    internal sealed class Entry(IChunkWriter writer, PipelineSession? session)
    {
        private readonly CancellationTokenSource _expiry = new();

        public IChunkWriter Writer { get; } = writer;

        public PipelineSession? Session { get; set; } = session;

        public CancellationToken ExpiryToken => _expiry.Token;

        public void CancelExpiry()
        {
            try
            {
                _expiry.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }
}
