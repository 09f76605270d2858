using Dfs.Client.Metadata;
using static Dfs.Common.Keys.KeyRanges;
using static Dfs.Raft.Metadata.MetadataKeys;

namespace Dfs.Raft.Metadata;

public sealed partial class MetadataStore
{
    /// <summary>Deletes the file or directory <paramref name="path"/>; a directory must be empty unless <paramref name="recursive"/>.</summary>
    /// <param name="path">What to delete (not the root).</param>
    /// <param name="recursive">Delete a directory with everything under it.</param>
    /// <param name="clientId">The deleting client, checked against a file's write lock.</param>
    /// <remarks>
    /// A file or an empty directory goes in one transaction (entry, inode, kept versions, and a garbage record of the
    /// chunks). A recursive delete is a series of transactions, each removing up to <see cref="MetadataOptions.DeleteBatch"/>
    /// entries bottom-up: a directory only together with all of its children, each entry with its inode, so no entry is
    /// ever left pointing at nothing. Write locks are checked for a single file; a recursive delete does not consult
    /// the locks of the paths under it.
    /// </remarks>
    /// <exception cref="MetadataException">InvalidPath (the root), NotFound, NotADirectory, DirectoryNotEmpty, Locked.</exception>
    public Task<DeleteResult> DeleteAsync(string path, bool recursive = false, string? clientId = null, CancellationToken cancellationToken = default) =>
        DeleteAsync(path, recursive, clientId, ExpectedVersion.Any, cancellationToken);

    /// <summary>As <see cref="DeleteAsync(string, bool, string?, CancellationToken)"/>; a file must also be at <paramref name="expected"/> (If-Match).</summary>
    /// <exception cref="MetadataException">As the public overload; also Conflict (another version is current) and IsADirectory (a version was expected of a directory).</exception>
    internal async Task<DeleteResult> DeleteAsync(string path, bool recursive, string? clientId, ExpectedVersion expected, CancellationToken cancellationToken)
    {
        var segments = MetadataPath.Parse(path);
        if (expected.Number == 0)
        {
            throw new MetadataException(MetadataErrorCode.InvalidArgument, "A delete cannot expect the file to be absent; expect a version, or any.");
        }
        if (segments.Length == 0)
        {
            throw new MetadataException(MetadataErrorCode.InvalidPath, "The root directory cannot be deleted.");
        }
        var removed = 0;
        var chunks = new List<ulong>();
        while (true)
        {
            var batch = await WriteAsync(view =>
            {
                var walk = WalkTo(view, segments, segments.Length);
                var entry = walk.Entry!;
                var b = new TxnBuilder();
                Pin(b, walk.Chain);
                var dropped = new List<ulong>();
                if (walk.Kind == EntryKind.File)
                {
                    if (expected.Number > 0 && ReadInode(view, walk.Id).Current!.Number is var current && current != expected.Number)
                    {
                        throw new MetadataException(MetadataErrorCode.Conflict, $"'{path}' is at version {current}; the delete expected version {expected.Number}.");
                    }
                    PinLock(b, view, path, clientId);
                    RemoveFile(b, view, entry, walk.Id, dropped);
                    return new Plan<(int, List<ulong>, bool)>(b, (1, dropped, true)) { Answer = new DeleteResult(1, dropped) };
                }
                if (expected.Number > 0)
                {
                    throw new MetadataException(MetadataErrorCode.IsADirectory, $"'{path}' is a directory; only a file has a version to expect.");
                }
                if (!recursive)
                {
                    if (view.Range(EntryPrefix(walk.Id), PrefixEnd(EntryPrefix(walk.Id)), 1).Items.Count > 0)
                    {
                        throw new MetadataException(MetadataErrorCode.DirectoryNotEmpty, $"'{path}' is not empty.");
                    }
                    RemoveDirectory(b, view, entry, walk.Id);
                    return new Plan<(int, List<ulong>, bool)>(b, (1, dropped, true)) { Answer = new DeleteResult(1, dropped) };
                }
                var budget = _options.DeleteBatch;
                var count = CollectSubtree(b, view, walk.Id, ref budget, dropped);
                var whole = count.Complete;
                if (whole)
                {
                    RemoveDirectory(b, view, entry, walk.Id);
                }
                var batchRemoved = count.Removed + (whole ? 1 : 0);
                return new Plan<(int, List<ulong>, bool)>(b, (batchRemoved, dropped, whole))
                {
                    Partial = !whole,
                    Answer = whole ? new DeleteResult(removed + batchRemoved, [.. chunks, .. dropped]) : null,
                };
            }, cancellationToken).ConfigureAwait(false);
            removed += batch.Item1;
            chunks.AddRange(batch.Item2);
            if (batch.Item3)
            {
                return new DeleteResult(removed, chunks);
            }
        }
    }

    /// <summary>
    /// Adds to <paramref name="b"/> the removal of up to <paramref name="budget"/> entries under <paramref name="dirId"/>,
    /// depth first; a directory is removed only when every child of it is removed in the same transaction.
    /// </summary>
    private static (int Removed, bool Complete) CollectSubtree(TxnBuilder b, IKvView view, ulong dirId, ref int budget, List<ulong> dropped)
    {
        var prefix = EntryPrefix(dirId);
        var page = view.Range(prefix, PrefixEnd(prefix), budget + 1);
        var removed = 0;
        foreach (var child in page.Items)
        {
            if (budget <= 0)
            {
                return (removed, false);
            }
            var (kind, id) = MetadataCodec.DecodeEntry(child.Value.Span);
            if (kind == EntryKind.File)
            {
                RemoveFile(b, view, child, id, dropped);
                budget--;
                removed++;
                continue;
            }
            var (inner, complete) = CollectSubtree(b, view, id, ref budget, dropped);
            removed += inner;
            if (!complete || budget <= 0)
            {
                return (removed, false);
            }
            RemoveDirectory(b, view, child, id);
            budget--;
            removed++;
        }
        // Every child in the page was removed; the page held them all unless more lay beyond it.
        return (removed, !page.More);
    }

    /// <summary>Removes a file's entry, inode and kept versions, recording their chunks as garbage.</summary>
    private static void RemoveFile(TxnBuilder b, IKvView view, MetaKeyValue entry, ulong id, List<ulong> dropped)
    {
        var inodeKv = view.Get(InodeKey(id)) ?? throw Dangling(id);
        var current = MetadataCodec.DecodeInode(inodeKv.Value.Span).Current!;
        b.Unchanged(entry);
        b.Unchanged(inodeKv);
        b.Delete(entry.Key);
        b.Delete(inodeKv.Key);
        b.DeletePrefix(VersionPrefix(id));
        var ids = view.Range(VersionPrefix(id), PrefixEnd(VersionPrefix(id)), 0).Items
            .SelectMany(kv => MetadataCodec.DecodeVersion(kv.Value.Span).Chunks)
            .Concat(current.Chunks)
            .Select(c => c.ChunkId)
            .Distinct()
            .ToList();
        if (ids.Count > 0)
        {
            b.Put(GarbageKey(id, current.Number), MetadataCodec.EncodeChunkIds(ids));
            dropped.AddRange(ids);
        }
    }

    /// <summary>Removes a directory's entry and inode, pinning the inode so a child added meanwhile (which rewrites it) fails the transaction.</summary>
    private static void RemoveDirectory(TxnBuilder b, IKvView view, MetaKeyValue entry, ulong id)
    {
        var inodeKv = view.Get(InodeKey(id)) ?? throw Dangling(id);
        b.Unchanged(entry);
        b.Unchanged(inodeKv);
        b.Delete(entry.Key);
        b.Delete(inodeKv.Key);
    }
}
