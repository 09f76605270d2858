using System.Globalization;
using Dfs.Client.Chunks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Dfs.ChunkServer.Storage;

/// <summary>
/// Chunk replicas as files under the node's data folder: <c>chunks/{id}.{version}.data</c> with
/// <c>chunks/{id}.meta</c> (block CRCs; its rename into place commits the replica), writes in progress under
/// <c>pending/</c>, replicas that failed a check moved aside to <c>corrupt/</c>.
/// </summary>
/// <remarks>
/// Durability: <see cref="IChunkWriter.FlushAsync"/> fsyncs the pending data (and, every 1 MiB, a sidecar of
/// its block CRCs so a write resumed after a restart can check what it holds); a commit
/// fsyncs the data, moves it into <c>chunks/</c>, writes the meta to a temporary file, fsyncs it, renames it
/// over the old meta and fsyncs the folder. A crash at any point leaves the old replica, the new one, or none
/// of that version; never a replica whose data disagrees with its meta (checked at open). The data file is
/// named by version so a newer version replaces an older one with the single meta rename.
/// Concurrency: safe for concurrent use on different chunks; one writer per chunk at a time; reads never block
/// writes. Lock order: chunk stripe, then pending write, then the catalogue lock.
/// </remarks>
public sealed partial class FileChunkStore : IChunkStore, IReplicaCorruptionSource, ILocalReplicaSource, IDisposable
{
    private readonly string _root;
    private readonly string _chunksDir;
    private readonly string _pendingDir;
    private readonly string _corruptDir;
    private readonly long _capacityBytes;
    private readonly long _reservedDiskBytes;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly Dictionary<ChunkId, Replica> _replicas = [];
    private readonly Dictionary<ChunkId, PendingFile> _pending = [];
    private readonly object[] _stripes = Enumerable.Range(0, 64).Select(_ => new object()).ToArray();
    private const long DiskRecheckBytes = 8L << 20;
    private const long SidecarSyncBytes = 1L << 20;

    private readonly object _diskGate = new();
    private long _usedBytes;
    private long _diskFreeAtCheck;
    private long _reservedSinceCheck;

    /// <summary>Opens (creating if needed) the store under <see cref="FileChunkStoreOptions.RootPath"/>, recovering from any crash.</summary>
    public FileChunkStore(FileChunkStoreOptions options, ILogger<FileChunkStore>? logger = null, TimeProvider? timeProvider = null)
    {
        options.Validate();
        _root = Path.GetFullPath(options.RootPath);
        _chunksDir = Path.Combine(_root, "chunks");
        _pendingDir = Path.Combine(_root, "pending");
        _corruptDir = Path.Combine(_root, "corrupt");
        _capacityBytes = options.CapacityBytes;
        _reservedDiskBytes = options.ReservedDiskBytes;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        Directory.CreateDirectory(_chunksDir);
        Directory.CreateDirectory(_pendingDir);
        Directory.CreateDirectory(_corruptDir);
        Recover();
    }

    public event EventHandler<ReplicaCorruptedEventArgs>? ReplicaCorrupted;

    /// <summary>The data folder the store lives in.</summary>
    public string RootPath => _root;

    public IChunkWriter BeginWrite(ChunkId id, long version)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        lock (Stripe(id))
        {
            PendingFile? abandoned;
            lock (_gate)
            {
                if (_replicas.TryGetValue(id, out var existing) && existing.Meta.Version >= version)
                {
                    throw new ChunkStoreException(
                        ChunkError.AlreadyExists,
                        $"Chunk {id} is already committed at version {existing.Meta.Version}; a write at version {version} is refused.");
                }
                _pending.TryGetValue(id, out abandoned);
            }
            if (abandoned is not null)
            {
                lock (abandoned)
                {
                    if (abandoned.Owner is not null)
                    {
                        throw new ChunkStoreException(ChunkError.Conflict, $"Chunk {id} is being written by another writer.");
                    }
                    DiscardLocked(abandoned);
                }
            }
            var pending = new PendingFile(id, version, PendingStem(id, version));
            pending.Handle = File.OpenHandle(pending.DataPath, FileMode.Create, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
            var writer = new Writer(this, pending);
            pending.Owner = writer;
            lock (_gate)
            {
                _pending[id] = pending;
            }
            return writer;
        }
    }

    public IChunkWriter ResumeWrite(ChunkId id, long newVersion, long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(newVersion);
        lock (Stripe(id))
        {
            PendingFile? pending;
            lock (_gate)
            {
                if (!_pending.TryGetValue(id, out pending))
                {
                    throw new ChunkStoreException(ChunkError.NotFound, $"No write of chunk {id} is pending here to resume.");
                }
                if (_replicas.TryGetValue(id, out var existing) && existing.Meta.Version >= newVersion)
                {
                    throw new ChunkStoreException(
                        ChunkError.AlreadyExists,
                        $"Chunk {id} is already committed at version {existing.Meta.Version}; resuming at version {newVersion} is refused.");
                }
            }
            lock (pending)
            {
                if (newVersion < pending.Version)
                {
                    throw new ChunkStoreException(
                        ChunkError.StaleVersion,
                        $"The pending write of chunk {id} is at version {pending.Version}; resuming at the older version {newVersion} is refused.");
                }
                if (offset < 0 || offset > pending.Length)
                {
                    throw new ChunkStoreException(
                        ChunkError.BadRange,
                        $"Cannot resume chunk {id} at offset {offset}: the pending write holds {pending.Length} bytes.");
                }
                // Fence the earlier writer before touching the file it may still hold.
                pending.Owner = null;
                try
                {
                    pending.Handle ??= File.OpenHandle(pending.DataPath, FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
                    VerifyAndTruncateLocked(pending, offset);
                    if (newVersion != pending.Version)
                    {
                        var stem = PendingStem(id, newVersion);
                        pending.Sequence++;
                        WriteSidecarLocked(pending, stem, newVersion);
                        File.Move(pending.DataPath, stem + ".data", overwrite: true);
                        PendingSidecar.DeleteSlots(pending.Stem);
                        pending.Stem = stem;
                        pending.Version = newVersion;
                        DirectorySync.Flush(_pendingDir);
                    }
                    else
                    {
                        pending.Sequence++;
                        WriteSidecarLocked(pending, pending.Stem, pending.Version);
                    }
                }
                catch
                {
                    DiscardLocked(pending);
                    throw;
                }
                var writer = new Writer(this, pending);
                pending.Owner = writer;
                Log.WriteResumed(_logger, id, newVersion, offset);
                return writer;
            }
        }
    }

    public ChunkInfo? TryGet(ChunkId id)
    {
        lock (_gate)
        {
            return _replicas.TryGetValue(id, out var replica) ? replica.Meta.Info : null;
        }
    }

    public IReadOnlyList<ChunkInfo> List()
    {
        lock (_gate)
        {
            return _replicas.Values.Select(r => r.Meta.Info).OrderBy(i => i.Id).ToArray();
        }
    }

    public IChunkReader OpenRead(ChunkId id, long minimumVersion, long offset, long length)
    {
        // A replace or delete may remove the data file between the lookup and the open: look up again.
        for (var attempt = 0; ; attempt++)
        {
            Replica? replica;
            lock (_gate)
            {
                _replicas.TryGetValue(id, out replica);
            }
            if (replica is null)
            {
                throw ChunkLayout.NotFound(id);
            }
            ChunkLayout.CheckVersion(replica.Meta.Info, minimumVersion);
            ChunkLayout.CheckRange(replica.Meta.Info, offset, length);
            SafeFileHandle handle;
            try
            {
                handle = File.OpenHandle(replica.DataPath, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            }
            catch (FileNotFoundException)
            {
                if (attempt >= 3)
                {
                    throw ChunkLayout.NotFound(id);
                }
                continue;
            }
            return new Reader(this, replica, handle, offset, length);
        }
    }

    public async ValueTask<bool> VerifyAsync(ChunkId id, CancellationToken cancellationToken)
    {
        // An empty range is valid for any replica; verification walks every block regardless.
        await using var reader = (Reader)OpenRead(id, 0, 0, 0);
        try
        {
            return await reader.VerifyAllAsync(cancellationToken);
        }
        catch (ChunkStoreException e) when (e.Error == ChunkError.Corrupt)
        {
            return false;
        }
    }

    public void Delete(ChunkId id)
    {
        lock (Stripe(id))
        {
            Replica? replica;
            PendingFile? pending;
            lock (_gate)
            {
                if (_replicas.Remove(id, out replica))
                {
                    _changes.Note(id);
                    Interlocked.Add(ref _usedBytes, -replica.Meta.Length);
                }
                _pending.TryGetValue(id, out pending);
            }
            if (replica is not null)
            {
                // The meta goes first: without it the data file is an orphan, never served.
                File.Delete(replica.MetaPath);
                File.Delete(replica.DataPath);
                DirectorySync.Flush(_chunksDir);
                Log.ReplicaDeleted(_logger, id);
            }
            if (pending is not null)
            {
                lock (pending)
                {
                    DiscardLocked(pending);
                }
            }
        }
    }

    public StoreUsage GetUsage()
    {
        var used = Interlocked.Read(ref _usedBytes);
        long free;
        if (_capacityBytes > 0)
        {
            free = Math.Max(0, _capacityBytes - used);
        }
        else
        {
            free = Math.Max(0, new DriveInfo(_root).AvailableFreeSpace - _reservedDiskBytes);
        }
        int count;
        lock (_gate)
        {
            count = _replicas.Count;
        }
        return new StoreUsage(used, free, count);
    }

    /// <summary>Closes the files of writes in progress; they stay pending on disk, resumable after a reopen.</summary>
    public void Dispose()
    {
        PendingFile[] pending;
        lock (_gate)
        {
            pending = [.. _pending.Values];
        }
        foreach (var write in pending)
        {
            lock (write)
            {
                write.Owner = null;
                write.Handle?.Dispose();
                write.Handle = null;
            }
        }
    }

    private object Stripe(ChunkId id) => _stripes[(int)(id.Value % (ulong)_stripes.Length)];

    private string PendingStem(ChunkId id, long version) =>
        Path.Combine(_pendingDir, string.Create(CultureInfo.InvariantCulture, $"{id}.{version}"));

    private string DataPath(ChunkId id, long version) =>
        Path.Combine(_chunksDir, string.Create(CultureInfo.InvariantCulture, $"{id}.{version}.data"));

    private string MetaPath(ChunkId id) => Path.Combine(_chunksDir, $"{id}.meta");

    /// <summary>Claims space for <paramref name="bytes"/> more bytes, or says why there is none.</summary>
    private string? TryReserve(long bytes)
    {
        if (_capacityBytes > 0)
        {
            while (true)
            {
                var used = Interlocked.Read(ref _usedBytes);
                if (used + bytes > _capacityBytes)
                {
                    return $"{bytes} more bytes would exceed the store's capacity of {_capacityBytes} bytes ({used} used)";
                }
                if (Interlocked.CompareExchange(ref _usedBytes, used + bytes, used) == used)
                {
                    return null;
                }
            }
        }
        lock (_diskGate)
        {
            // The disk is asked again after every DiskRecheckBytes of writes, and whenever the estimate says no.
            var estimate = _diskFreeAtCheck - _reservedSinceCheck;
            if (_reservedSinceCheck >= DiskRecheckBytes || estimate - _reservedDiskBytes < bytes)
            {
                _diskFreeAtCheck = new DriveInfo(_root).AvailableFreeSpace;
                _reservedSinceCheck = 0;
                estimate = _diskFreeAtCheck;
            }
            if (estimate - _reservedDiskBytes < bytes)
            {
                return $"{bytes} more bytes do not fit in the {estimate} bytes free on the disk of {_root} (keeping {_reservedDiskBytes} in reserve)";
            }
            _reservedSinceCheck += bytes;
        }
        Interlocked.Add(ref _usedBytes, bytes);
        return null;
    }

    /// <summary>Removes a pending write and its files; its writer, if any, is fenced off.</summary>
    private void DiscardLocked(PendingFile pending)
    {
        if (pending.Discarded)
        {
            return;
        }
        pending.Discarded = true;
        pending.Owner = null;
        pending.Handle?.Dispose();
        pending.Handle = null;
        lock (_gate)
        {
            if (_pending.TryGetValue(pending.Id, out var current) && ReferenceEquals(current, pending))
            {
                _pending.Remove(pending.Id);
            }
        }
        Interlocked.Add(ref _usedBytes, -pending.Length);
        File.Delete(pending.DataPath);
        PendingSidecar.DeleteSlots(pending.Stem);
    }

    private void WriteSidecarLocked(PendingFile pending, string stem, long version)
    {
        var tailCrc = pending.Length % ChunkLayout.BlockSize == 0 ? 0u : ~pending.TailState;
        var created = !File.Exists(PendingSidecar.SlotPath(stem, pending.Sequence));
        PendingSidecar.Write(stem, pending.Id, version, pending.Sequence, pending.Length, tailCrc, pending.FullBlockCrcs, pending.FullBlockCrcs.Count);
        if (created)
        {
            // A new slot's directory entry (and the data file's, on the first flush) must survive a crash too.
            DirectorySync.Flush(_pendingDir);
        }
        pending.HasSidecar = true;
        pending.SidecarLength = pending.Length;
    }

    /// <summary>Moves a replica's files to <c>corrupt/</c> so it is no longer listed or served, and reports it.</summary>
    private void Quarantine(Replica replica, string reason)
    {
        var id = replica.Meta.Id;
        lock (Stripe(id))
        {
            lock (_gate)
            {
                if (!_replicas.TryGetValue(id, out var current) || !ReferenceEquals(current, replica))
                {
                    return;
                }
                _replicas.Remove(id);
                _changes.Note(id);
            }
            Interlocked.Add(ref _usedBytes, -replica.Meta.Length);
            MoveAside(replica.MetaPath, replica.DataPath, reason, id, replica.Meta.Version);
        }
        ReplicaCorrupted?.Invoke(this, new ReplicaCorruptedEventArgs(replica.Meta.Info, reason));
    }

    private void MoveAside(string metaPath, string? dataPath, string reason, ChunkId id, long version)
    {
        var stamp = _time.GetUtcNow().ToString("yyyyMMddTHHmmssfff", CultureInfo.InvariantCulture);
        var target = Path.Combine(_corruptDir, string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(metaPath)}.{stamp}"));
        // The meta moves first: that alone withdraws the replica.
        TryMove(metaPath, target);
        if (dataPath is not null)
        {
            TryMove(dataPath, Path.Combine(_corruptDir, string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(dataPath)}.{stamp}")));
        }
        DirectorySync.Flush(_chunksDir);
        DirectorySync.Flush(_corruptDir);
        Log.ReplicaQuarantined(_logger, id, version, _corruptDir, reason);
    }

    private static void TryMove(string from, string to)
    {
        try
        {
            File.Move(from, to, overwrite: true);
        }
        catch (FileNotFoundException)
        {
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static bool IsDiskFull(IOException e) =>
        // ENOSPC (28) and EDQUOT (122) on Linux; ERROR_DISK_FULL (112) and ERROR_HANDLE_DISK_FULL (39) on Windows.
        (e.HResult & 0xFFFF) is 28 or 122 or 112 or 39 || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase);

    private sealed record Replica(ChunkMeta Meta, string DataPath, string MetaPath);

    /// <summary>A write in progress or interrupted; guarded by locking the instance itself.</summary>
    private sealed class PendingFile(ChunkId id, long version, string stem)
    {
        public ChunkId Id { get; } = id;

        public long Version { get; set; } = version;

        public string Stem { get; set; } = stem;

        public string DataPath => Stem + ".data";

        public long Length { get; set; }

        public List<uint> FullBlockCrcs { get; set; } = [];

        /// <summary>Running (non-finalized) CRC state of the bytes of the partial last block.</summary>
        public uint TailState { get; set; } = uint.MaxValue;

        /// <summary>Bytes covered by <see cref="FullBlockCrcs"/> and <see cref="TailState"/>: all of them while written here, the sidecar's after a restart.</summary>
        public long RecordedLength { get; set; }

        public long FlushedLength { get; set; }

        /// <summary>Bytes described by the last fsynced sidecar.</summary>
        public long SidecarLength { get; set; }

        public long Sequence { get; set; }

        /// <summary>A sidecar describes a durable prefix of this write.</summary>
        public bool HasSidecar { get; set; }

        public SafeFileHandle? Handle { get; set; }

        public Writer? Owner { get; set; }

        public bool Discarded { get; set; }
    }
}
