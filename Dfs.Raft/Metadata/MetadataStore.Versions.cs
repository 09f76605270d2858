using Dfs.Client.Metadata;
using static Dfs.Common.Keys.KeyRanges;
using static Dfs.Raft.Metadata.MetadataKeys;

namespace Dfs.Raft.Metadata;

public sealed partial class MetadataStore
{
    /// <summary>
    /// Makes <paramref name="content"/> the new current version of the file <paramref name="path"/> (creating the
    /// file if it is missing and <paramref name="expected"/> allows), keeping the newest <see cref="MetadataOptions.KeepVersions"/>.
    /// </summary>
    /// <param name="path">The file's path; its parent directory must exist.</param>
    /// <param name="expected">The version this commit replaces: any, none (must not exist), or exactly one number.</param>
    /// <param name="content">The new version's size, checksum, time, content type and chunks.</param>
    /// <param name="clientId">The committing client, checked against the path's write lock (null: a client holding no lock).</param>
    /// <remarks>
    /// One transaction. It pins the entries along the path, the file's inode (so the version it replaces is the one read)
    /// and the path's lock state (the head of its lock queue, or the queue's stamp when nobody queues), so of two writers
    /// that read the same version one commits and the other gets Conflict, and a commit never slips past a lock taken
    /// concurrently. The replaced version moves to its own key; versions past the kept count are deleted and their chunk
    /// ids recorded under the garbage prefix in the same transaction, and returned.
    /// </remarks>
    /// <exception cref="MetadataException">
    /// InvalidPath, InvalidArgument, NotFound (parent), NotADirectory, IsADirectory, Conflict (the expected version is not current), Locked.
    /// </exception>
    public Task<CommitResult> CommitAsync(string path, ExpectedVersion expected, NewVersion content, string? clientId = null, CancellationToken cancellationToken = default)
    {
        var segments = MetadataPath.Parse(path);
        ArgumentNullException.ThrowIfNull(content);
        content.Validate();
        if (segments.Length == 0)
        {
            throw new MetadataException(MetadataErrorCode.IsADirectory, "'/' is a directory.");
        }
        var keep = _options.KeepVersions;
        return WriteAsync(view =>
        {
            var parent = WalkToDirectory(view, segments, segments.Length - 1);
            var b = new TxnBuilder();
            Pin(b, parent.Chain);
            PinLock(b, view, path, clientId);
            var entryKey = EntryKey(parent.Id, segments[^1]);
            var entry = view.Get(entryKey);
            if (entry is null)
            {
                if (expected.Number > 0)
                {
                    throw new MetadataException(MetadataErrorCode.Conflict, $"'{path}' does not exist; the commit expected version {expected.Number}.");
                }
                var id = TakeId();
                b.Missing(entryKey);
                b.Missing(InodeKey(id));
                AddChild(b, view, parent.Id);
                b.Put(entryKey, MetadataCodec.EncodeEntry(EntryKind.File, id));
                b.Put(InodeKey(id), MetadataCodec.EncodeInode(new InodeRecord(EntryKind.File, parent.Id, content.CreatedMs, ToVersion(1, content))));
                return new Plan<CommitResult>(b, new CommitResult(1, [], []));
            }
            var (kind, fileId) = MetadataCodec.DecodeEntry(entry.Value.Span);
            if (kind == EntryKind.Directory)
            {
                throw new MetadataException(MetadataErrorCode.IsADirectory, $"'{path}' is a directory.");
            }
            var inodeKv = view.Get(InodeKey(fileId)) ?? throw Dangling(fileId);
            var inode = MetadataCodec.DecodeInode(inodeKv.Value.Span);
            var current = inode.Current!;
            if (expected.Number == 0 || (expected.Number > 0 && expected.Number != current.Number))
            {
                throw new MetadataException(MetadataErrorCode.Conflict,
                    $"'{path}' is at version {current.Number}; the commit expected {(expected.Number == 0 ? "no file" : $"version {expected.Number}")}.");
            }
            b.Unchanged(entry);
            b.Unchanged(inodeKv);
            var next = ToVersion(current.Number + 1, content);

            // Older kept versions live under V keys in ascending order; with the replaced one they must shrink to keep - 1.
            var older = view.Range(VersionPrefix(fileId), PrefixEnd(VersionPrefix(fileId)), 0).Items
                .Select(kv => MetadataCodec.DecodeVersion(kv.Value.Span))
                .Append(current)
                .ToList();
            var dropCount = Math.Max(0, older.Count - (keep - 1));
            var dropped = older.Take(dropCount).ToList();
            foreach (var version in dropped)
            {
                if (version.Number != current.Number)
                {
                    b.Delete(VersionKey(fileId, version.Number));
                }
            }
            if (dropCount < older.Count)
            {
                b.Put(VersionKey(fileId, current.Number), MetadataCodec.EncodeVersion(current));
            }
            b.Put(InodeKey(fileId), MetadataCodec.EncodeInode(inode with { ModifiedMs = next.CreatedMs, Current = next }));
            var kept = older.Skip(dropCount).Append(next).SelectMany(v => v.Chunks).Select(c => c.ChunkId).ToHashSet();
            var droppedChunks = dropped.SelectMany(v => v.Chunks).Select(c => c.ChunkId).Where(id => !kept.Contains(id)).Distinct().ToList();
            if (droppedChunks.Count > 0)
            {
                b.Put(GarbageKey(fileId, dropped[^1].Number), MetadataCodec.EncodeChunkIds(droppedChunks));
            }
            return new Plan<CommitResult>(b, new CommitResult(next.Number, [.. dropped.Select(v => v.Number)], droppedChunks));
        }, cancellationToken);
    }

    /// <summary>Version <paramref name="version"/> of the file <paramref name="path"/> (null = the current one).</summary>
    /// <exception cref="MetadataException">InvalidPath, NotFound, NotADirectory, IsADirectory, VersionNotFound.</exception>
    public Task<FileVersion> GetVersionAsync(string path, long? version = null, CancellationToken cancellationToken = default)
    {
        var segments = MetadataPath.Parse(path);
        return _kv.ReadAsync(view =>
        {
            var (id, inode) = ReadFile(view, segments, path);
            return KeptVersion(view, id, inode, version, path);
        }, cancellationToken);
    }

    /// <summary>The file <paramref name="path"/>'s entry and version <paramref name="version"/> (null = the current one), read in one view.</summary>
    /// <exception cref="MetadataException">InvalidPath, NotFound, NotADirectory, IsADirectory, VersionNotFound.</exception>
    internal Task<(MetadataEntry Entry, FileVersion Version)> LocateAsync(string path, long? version, CancellationToken cancellationToken)
    {
        var segments = MetadataPath.Parse(path);
        return _kv.ReadAsync(view =>
        {
            var (id, inode) = ReadFile(view, segments, path);
            return (ToEntry(segments[^1], id, inode), KeptVersion(view, id, inode, version, path));
        }, cancellationToken);
    }

    private static FileVersion KeptVersion(IKvView view, ulong id, InodeRecord inode, long? version, string path)
    {
        var current = inode.Current!;
        if (version is null || version == current.Number)
        {
            return current;
        }
        var kv = version > 0 && version < current.Number ? view.Get(VersionKey(id, version.Value)) : null;
        return kv is null
            ? throw new MetadataException(MetadataErrorCode.VersionNotFound, $"Version {version} of '{path}' is not kept (current: {current.Number}).")
            : MetadataCodec.DecodeVersion(kv.Value.Span);
    }

    /// <summary>Every kept version of the file <paramref name="path"/>, newest first.</summary>
    /// <exception cref="MetadataException">InvalidPath, NotFound, NotADirectory, IsADirectory.</exception>
    public Task<IReadOnlyList<FileVersion>> ListVersionsAsync(string path, CancellationToken cancellationToken = default)
    {
        var segments = MetadataPath.Parse(path);
        return _kv.ReadAsync<IReadOnlyList<FileVersion>>(view =>
        {
            var (id, inode) = ReadFile(view, segments, path);
            var older = view.Range(VersionPrefix(id), PrefixEnd(VersionPrefix(id)), 0).Items.Select(kv => MetadataCodec.DecodeVersion(kv.Value.Span));
            return [.. older.Append(inode.Current!).Reverse()];
        }, cancellationToken);
    }

    /// <summary>Chunk ids recorded for garbage collection, oldest files first, at most <paramref name="limit"/> records.</summary>
    public Task<IReadOnlyList<GarbageRecord>> PendingGarbageAsync(int limit = 100, CancellationToken cancellationToken = default) =>
        _kv.ReadAsync<IReadOnlyList<GarbageRecord>>(view =>
            [.. view.Range([Garbage], [Garbage + 1], Math.Max(1, limit)).Items
                .Select(kv => new GarbageRecord(IdOf(kv.Key.Span), VersionOf(kv.Key.Span), MetadataCodec.DecodeChunkIds(kv.Value.Span)))],
            cancellationToken);

    /// <summary>Forgets a garbage record once its chunks are reclaimed.</summary>
    public async Task CollectedAsync(GarbageRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var b = new TxnBuilder();
        b.Delete(GarbageKey(record.InodeId, record.Version));
        await _kv.TxnAsync(b.Build(), cancellationToken).ConfigureAwait(false);
    }

    private static (ulong Id, InodeRecord Inode) ReadFile(IKvView view, string[] segments, string path)
    {
        if (segments.Length == 0)
        {
            throw new MetadataException(MetadataErrorCode.IsADirectory, "'/' is a directory.");
        }
        var walk = WalkTo(view, segments, segments.Length);
        return walk.Kind == EntryKind.File
            ? (walk.Id, ReadInode(view, walk.Id))
            : throw new MetadataException(MetadataErrorCode.IsADirectory, $"'{path}' is a directory.");
    }

    private static FileVersion ToVersion(long number, NewVersion content) =>
        new(number, content.Size, content.Checksum, content.CreatedMs, content.ContentType, [.. content.Chunks], content.Inline);
}
