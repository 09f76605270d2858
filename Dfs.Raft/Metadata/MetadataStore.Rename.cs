using Dfs.Client.Metadata;
using static Dfs.Common.Keys.KeyRanges;
using static Dfs.Raft.Metadata.MetadataKeys;

namespace Dfs.Raft.Metadata;

public sealed partial class MetadataStore
{
    /// <summary>Moves the file or directory <paramref name="source"/> to <paramref name="target"/>, whose parent must exist.</summary>
    /// <param name="source">What to move (not the root).</param>
    /// <param name="target">Where it goes (not the root).</param>
    /// <param name="replace">
    /// Replace an existing target: a file by a file, or an empty directory by a directory. False: an existing target is refused.
    /// </param>
    /// <remarks>
    /// One transaction whose size depends on the two paths' depths, never on what a moved directory holds: delete the
    /// source entry, put the target entry, rewrite the moved inode with its new parent (and, replacing, delete the
    /// target's inode and versions). It pins every entry along both paths, the moved inode, the target entry (absent,
    /// or as read) and the replaced inode. A directory is never moved into itself or below itself: the target's
    /// ancestors are read in the same view and their entries pinned, so a concurrent move cannot make a cycle.
    /// Renaming a path to itself changes nothing.
    /// </remarks>
    /// <exception cref="MetadataException">
    /// InvalidPath, NotFound, NotADirectory, IsADirectory, AlreadyExists, DirectoryNotEmpty, RenameIntoItself.
    /// </exception>
    public Task RenameAsync(string source, string target, bool replace = false, CancellationToken cancellationToken = default)
    {
        var from = MetadataPath.Parse(source);
        var to = MetadataPath.Parse(target);
        if (from.Length == 0 || to.Length == 0)
        {
            throw new MetadataException(MetadataErrorCode.InvalidPath, "The root directory cannot be renamed or replaced.");
        }
        return WriteAsync(view =>
        {
            var moved = WalkTo(view, from, from.Length);
            if (string.Equals(source, target, StringComparison.Ordinal))
            {
                return new Plan<bool>(null, false);
            }
            var parent = WalkToDirectory(view, to, to.Length - 1);
            if (moved.Kind == EntryKind.Directory && (parent.Id == moved.Id || parent.Chain.Any(e => MetadataCodec.DecodeEntry(e.Value.Span).Id == moved.Id)))
            {
                throw new MetadataException(MetadataErrorCode.RenameIntoItself, $"'{source}' cannot move into itself ('{target}').");
            }
            var b = new TxnBuilder();
            Pin(b, moved.Chain);
            Pin(b, parent.Chain);
            var targetKey = EntryKey(parent.Id, to[^1]);
            var existing = view.Get(targetKey);
            if (existing is null)
            {
                b.Missing(targetKey);
            }
            else
            {
                Replace(b, view, existing, moved.Kind, target, replace);
            }
            var inodeKv = view.Get(InodeKey(moved.Id)) ?? throw Dangling(moved.Id);
            var inode = MetadataCodec.DecodeInode(inodeKv.Value.Span);
            var sourceParent = inode.Parent;
            b.Unchanged(inodeKv);
            if (sourceParent != parent.Id)
            {
                AddChild(b, view, parent.Id);
            }
            b.Delete(moved.Entry!.Key);
            b.Put(targetKey, MetadataCodec.EncodeEntry(moved.Kind, moved.Id));
            var rewritten = inode.Kind == EntryKind.Directory
                ? inode with { Parent = parent.Id, ModifiedMs = _time.GetUtcNow().ToUnixTimeMilliseconds() }
                : inode with { Parent = parent.Id };
            b.Put(inodeKv.Key, MetadataCodec.EncodeInode(rewritten));
            return new Plan<bool>(b, true);
        }, cancellationToken);
    }

    /// <summary>Checks that <paramref name="existing"/> may be replaced by a <paramref name="movedKind"/> and adds its removal.</summary>
    private static void Replace(TxnBuilder b, IKvView view, MetaKeyValue existing, EntryKind movedKind, string target, bool replace)
    {
        if (!replace)
        {
            throw new MetadataException(MetadataErrorCode.AlreadyExists, $"'{target}' already exists.");
        }
        var (kind, id) = MetadataCodec.DecodeEntry(existing.Value.Span);
        if (kind == EntryKind.Directory && movedKind == EntryKind.File)
        {
            throw new MetadataException(MetadataErrorCode.IsADirectory, $"'{target}' is a directory; a file cannot replace it.");
        }
        if (kind == EntryKind.File && movedKind == EntryKind.Directory)
        {
            throw new MetadataException(MetadataErrorCode.NotADirectory, $"'{target}' is a file; a directory cannot replace it.");
        }
        b.Unchanged(existing);
        var inodeKv = view.Get(InodeKey(id)) ?? throw Dangling(id);
        b.Unchanged(inodeKv);
        b.Delete(inodeKv.Key);
        if (kind == EntryKind.Directory)
        {
            if (view.Range(EntryPrefix(id), PrefixEnd(EntryPrefix(id)), 1).Items.Count > 0)
            {
                throw new MetadataException(MetadataErrorCode.DirectoryNotEmpty, $"'{target}' is not empty.");
            }
            return;
        }
        var current = MetadataCodec.DecodeInode(inodeKv.Value.Span).Current!;
        var chunks = view.Range(VersionPrefix(id), PrefixEnd(VersionPrefix(id)), 0).Items
            .SelectMany(kv => MetadataCodec.DecodeVersion(kv.Value.Span).Chunks)
            .Concat(current.Chunks)
            .Select(c => c.ChunkId)
            .Distinct()
            .ToList();
        b.DeletePrefix(VersionPrefix(id));
        if (chunks.Count > 0)
        {
            b.Put(GarbageKey(id, current.Number), MetadataCodec.EncodeChunkIds(chunks));
        }
    }
}
