using Dfs.Client.Metadata;
using static Dfs.Common.Keys.KeyRanges;
using static Dfs.Raft.Metadata.MetadataKeys;

namespace Dfs.Raft.Metadata;

/// <summary>
/// The file-system namespace and file schema over an etcd-shaped store (<see cref="IMetadataKv"/>): directories,
/// files with kept versions, renames, deletes and write locks, with inode-style keys (see <see cref="MetadataKeys"/>).
/// </summary>
/// <remarks>
/// Every operation that changes anything is one transaction (a recursive delete is a series of them, each leaving a
/// whole tree). Each reads what it needs in one consistent view, decides, and commits a transaction whose compares
/// pin everything the decision read (the entries along each path, the inodes changed); when a compare fails the
/// operation reads again and decides again, so a refusal always reflects a state that existed. Bad input is refused
/// before anything is read or written. Thread-safe.
/// </remarks>
public sealed partial class MetadataStore
{
    // A write that keeps losing races gives up with Conflict rather than spin.
    private const int MaxAttempts = 32;

    private readonly IMetadataKv _kv;
    private readonly MetadataOptions _options;
    private readonly TimeProvider _time;

    // Inode ids come from the store's counter in blocks, so creates do not all compare one hot key; a block holds at
    // least a whole path's depth, so one fresh block serves any mkdir -p.
    private readonly IdBlocks _ids;
    private readonly MetadataWriteHook? _hook;

    /// <summary>A schema over <paramref name="kv"/>; <paramref name="time"/> (the leader's clock) stamps directories.</summary>
    public MetadataStore(IMetadataKv kv, MetadataOptions? options = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(kv);
        _kv = kv;
        _options = options ?? new MetadataOptions();
        _options.Validate();
        _time = time ?? TimeProvider.System;
        _ids = new IdBlocks(kv, NextId, RootId + 1, _options.IdBlock, "inode ids");
    }

    // A view of the same schema whose writes pass through <paramref name="hook"/>; it shares the inode id block.
    private MetadataStore(MetadataStore source, MetadataWriteHook hook)
    {
        _kv = source._kv;
        _options = source._options;
        _time = source._time;
        _ids = source._ids;
        _hook = hook;
    }

    /// <summary>The same schema, with <paramref name="hook"/> reading before every plan and adding to every final transaction.</summary>
    internal MetadataStore With(MetadataWriteHook hook) => new(this, hook ?? throw new ArgumentNullException(nameof(hook)));

    /// <summary>The entry at <paramref name="path"/>.</summary>
    /// <exception cref="MetadataException">InvalidPath, NotFound, NotADirectory.</exception>
    public Task<MetadataEntry> StatAsync(string path, CancellationToken cancellationToken = default)
    {
        var segments = MetadataPath.Parse(path);
        return _kv.ReadAsync(view => Stat(view, segments), cancellationToken);
    }

    /// <summary>The entry at <paramref name="path"/>, or null when it (or a parent) does not exist; every component is read in one view.</summary>
    /// <exception cref="MetadataException">InvalidPath, NotADirectory.</exception>
    public async Task<MetadataEntry?> LookupAsync(string path, CancellationToken cancellationToken = default)
    {
        try
        {
            return await StatAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (MetadataException e) when (e.Code == MetadataErrorCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Up to <paramref name="limit"/> immediate children of the directory <paramref name="path"/> whose names sort
    /// after <paramref name="startAfter"/> (null = from the first), in UTF-8 byte order of names.
    /// </summary>
    /// <remarks>One page is one consistent view; pages read at different times may straddle changes.</remarks>
    /// <exception cref="MetadataException">InvalidPath, InvalidArgument, NotFound, NotADirectory.</exception>
    public Task<DirectoryPage> ListAsync(string path, string? startAfter = null, int limit = 1000, CancellationToken cancellationToken = default)
    {
        var segments = MetadataPath.Parse(path);
        if (startAfter is not null)
        {
            MetadataPath.CheckName(startAfter);
        }
        if (limit < 1 || limit > _options.MaxListLimit)
        {
            throw new MetadataException(MetadataErrorCode.InvalidArgument, $"A listing limit lies in 1..{_options.MaxListLimit}; {limit} does not.");
        }
        return _kv.ReadAsync(view =>
        {
            var dir = WalkToDirectory(view, segments, segments.Length);
            var prefix = EntryPrefix(dir.Id);
            var start = startAfter is null ? prefix : EntryKeyAfter(dir.Id, startAfter);
            var page = view.Range(start, PrefixEnd(prefix), limit);
            var entries = new List<MetadataEntry>(page.Items.Count);
            foreach (var item in page.Items)
            {
                var (_, id) = MetadataCodec.DecodeEntry(item.Value.Span);
                entries.Add(ToEntry(EntryName(item.Key.Span), id, ReadInode(view, id)));
            }
            return new DirectoryPage(entries, page.More);
        }, cancellationToken);
    }

    /// <summary>Creates the directory <paramref name="path"/>; with <paramref name="parents"/>, also its missing parents, and an existing directory is no error.</summary>
    /// <returns>True when a directory was created.</returns>
    /// <remarks>One transaction: every missing level is created together, or none is.</remarks>
    /// <exception cref="MetadataException">InvalidPath, NotFound (a parent is missing, without parents), NotADirectory, AlreadyExists.</exception>
    public Task<bool> MkdirAsync(string path, bool parents = false, CancellationToken cancellationToken = default)
    {
        var segments = MetadataPath.Parse(path);
        return WriteAsync(view =>
        {
            var id = RootId;
            var b = new TxnBuilder();
            var i = 0;
            for (; i < segments.Length; i++)
            {
                var entry = view.Get(EntryKey(id, segments[i]));
                if (entry is null)
                {
                    break;
                }
                b.Unchanged(entry);
                var (kind, child) = MetadataCodec.DecodeEntry(entry.Value.Span);
                if (kind != EntryKind.Directory)
                {
                    throw i == segments.Length - 1
                        ? new MetadataException(MetadataErrorCode.AlreadyExists, $"'{path}' already exists as a file.")
                        : NotADirectory(segments, i + 1);
                }
                id = child;
            }
            if (i == segments.Length)
            {
                return parents ? new Plan<bool>(null, false) : throw new MetadataException(MetadataErrorCode.AlreadyExists, $"'{path}' already exists.");
            }
            if (!parents && i < segments.Length - 1)
            {
                throw NotFound(segments, i + 1);
            }
            AddChild(b, view, id);
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            for (var parent = id; i < segments.Length; i++)
            {
                var created = TakeId();
                var entryKey = EntryKey(parent, segments[i]);
                b.Missing(entryKey);
                b.Missing(InodeKey(created));
                b.Put(entryKey, MetadataCodec.EncodeEntry(EntryKind.Directory, created));
                b.Put(InodeKey(created), MetadataCodec.EncodeInode(new InodeRecord(EntryKind.Directory, parent, now, null)));
                parent = created;
            }
            return new Plan<bool>(b, true);
        }, cancellationToken);
    }

    private static MetadataEntry Stat(IKvView view, string[] segments)
    {
        if (segments.Length == 0)
        {
            return new MetadataEntry("/", EntryKind.Directory, RootId, 0, 0, 0);
        }
        var walk = WalkTo(view, segments, segments.Length);
        return ToEntry(segments[^1], walk.Id, ReadInode(view, walk.Id));
    }

    private static MetadataEntry ToEntry(string name, ulong id, InodeRecord inode) =>
        inode.Current is { } current
            ? new MetadataEntry(name, EntryKind.File, id, current.Size, current.Number, current.CreatedMs)
            : new MetadataEntry(name, EntryKind.Directory, id, 0, 0, inode.ModifiedMs);

    private static InodeRecord ReadInode(IKvView view, ulong id) =>
        MetadataCodec.DecodeInode((view.Get(InodeKey(id)) ?? throw Dangling(id)).Value.Span);

    /// <summary>Follows <paramref name="count"/> leading segments from the root; the chain holds the entries read, which the caller's transaction pins.</summary>
    private static Walk WalkTo(IKvView view, string[] segments, int count)
    {
        var id = RootId;
        var kind = EntryKind.Directory;
        MetaKeyValue? entry = null;
        var chain = new List<MetaKeyValue>(count);
        for (var i = 0; i < count; i++)
        {
            if (kind != EntryKind.Directory)
            {
                throw NotADirectory(segments, i);
            }
            entry = view.Get(EntryKey(id, segments[i])) ?? throw NotFound(segments, i + 1);
            (kind, id) = MetadataCodec.DecodeEntry(entry.Value.Span);
            chain.Add(entry);
        }
        return new Walk(id, kind, entry, chain);
    }

    private static Walk WalkToDirectory(IKvView view, string[] segments, int count)
    {
        var walk = WalkTo(view, segments, count);
        return walk.Kind == EntryKind.Directory ? walk : throw NotADirectory(segments, count);
    }

    /// <summary>
    /// Marks that <paramref name="dirId"/> gains a child: its inode is rewritten unchanged, guarded by a value compare.
    /// Creates in one directory do not conflict with each other (the value stays the same), while a directory delete,
    /// which pins the inode's mod revision, sees that a child arrived. The root is never deleted and needs no mark.
    /// </summary>
    private static void AddChild(TxnBuilder b, IKvView view, ulong dirId)
    {
        if (dirId == RootId)
        {
            return;
        }
        var inode = view.Get(InodeKey(dirId)) ?? throw Dangling(dirId);
        b.Compare(MetaCompare.ValueIs(inode.Key, inode.Value));
        b.Put(inode.Key, inode.Value);
    }

    private static void Pin(TxnBuilder b, List<MetaKeyValue> chain)
    {
        foreach (var entry in chain)
        {
            b.Unchanged(entry);
        }
    }

    private ulong TakeId() => _ids.TryTake(out var id, out var exhaustedLimit) ? id : throw new IdsExhaustedException(exhaustedLimit);

    /// <summary>Reads, decides and commits, again from a fresh read whenever a compare fails.</summary>
    /// <remarks>
    /// A plan reads the replica's local state (<see cref="IMetadataKv.ReadLocalAsync{T}"/>), with no read barrier: the
    /// transaction's compares pin everything the plan read, so a plan made on a stale state fails its compares when it is
    /// applied, after which the local state holds at least what the failed transaction saw and the next plan starts from
    /// there. A write that commits thus costs one request to the log and nothing more. What the write answers without
    /// committing, a refusal or a change already made, is decided again on a linearizable read, so every answer reflects
    /// the latest committed state.
    /// </remarks>
    private async Task<T> WriteAsync<T>(Func<IKvView, Plan<T>> plan, CancellationToken cancellationToken)
    {
        var refills = 0;
        var linearizable = false;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            Plan<T> decided;
            try
            {
                decided = await ReadForPlanAsync(plan, linearizable, cancellationToken).ConfigureAwait(false);
            }
            catch (IdsExhaustedException exhausted) when (refills++ < MaxAttempts)
            {
                // A plan needs at most MetadataPath.MaxDepth ids, which one fresh block holds; running out is not a lost race.
                await _ids.RefillAsync(exhausted.Limit, cancellationToken).ConfigureAwait(false);
                attempt--;
                continue;
            }
            catch (MetadataException) when (!linearizable)
            {
                // A refusal made on the local state may be a stale one: it is answered only if the latest state refuses too.
                linearizable = true;
                attempt--;
                continue;
            }
            if (decided.Txn is null)
            {
                if (!linearizable)
                {
                    linearizable = true;
                    attempt--;
                    continue;
                }
                return decided.Result;
            }
            if (_hook is not null && !decided.Partial)
            {
                _hook.Extend(decided.Txn, decided.Answer ?? decided.Result);
            }
            if ((await _kv.TxnAsync(decided.Txn.Build(), cancellationToken).ConfigureAwait(false)).Succeeded)
            {
                return decided.Result;
            }
        }
        throw new MetadataException(MetadataErrorCode.Conflict, $"The operation lost {MaxAttempts} races in a row to concurrent changes; nothing was changed.");
    }

    private Task<Plan<T>> ReadForPlanAsync<T>(Func<IKvView, Plan<T>> plan, bool linearizable, CancellationToken cancellationToken)
    {
        var read = _hook is null
            ? plan
            : view =>
            {
                _hook.BeforePlan(view);
                return plan(view);
            };
        return linearizable ? _kv.ReadAsync(read, cancellationToken) : _kv.ReadLocalAsync(read, cancellationToken);
    }

    private static MetadataException NotFound(string[] segments, int count) =>
        new(MetadataErrorCode.NotFound, $"'{MetadataPath.Join(segments, count)}' does not exist.");

    private static MetadataException NotADirectory(string[] segments, int count) =>
        new(MetadataErrorCode.NotADirectory, $"'{MetadataPath.Join(segments, count)}' is a file, not a directory.");

    private static InvalidDataException Dangling(ulong id) => new($"The metadata entry for inode {id} has no inode record.");

    /// <summary>A decision: the transaction to commit (null: nothing to change) and the result to answer once it commits.</summary>
    private readonly record struct Plan<T>(TxnBuilder? Txn, T Result)
    {
        /// <summary>What a write hook records as the operation's answer, when it differs from <see cref="Result"/>.</summary>
        public object? Answer { get; init; }

        /// <summary>One of several transactions of an operation, not its last: the hook adds nothing to it.</summary>
        public bool Partial { get; init; }
    }

    private readonly record struct Walk(ulong Id, EntryKind Kind, MetaKeyValue? Entry, List<MetaKeyValue> Chain);

    /// <summary>The inode id block ran out; <see cref="Limit"/> is the end of the block that did.</summary>
    private sealed class IdsExhaustedException(ulong limit) : Exception
    {
        public ulong Limit { get; } = limit;
    }
}
