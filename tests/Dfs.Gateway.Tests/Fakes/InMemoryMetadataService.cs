using System.Text;
using Dfs.Client.Chunks;
using Dfs.Client.ChunkServers;
using Dfs.Client.Metadata;

namespace Dfs.Gateway.Tests.Fakes;

/// <summary>
/// The masters' file-system service in memory, keeping the contract's rules (paths, kinds, expected versions, locks,
/// allocations committed once), with chunk servers the test names. Every change bumps <see cref="Changes"/>.
/// </summary>
internal sealed class InMemoryMetadataService(IReadOnlyList<ChunkServerAddress> servers, int replicationFactor = 3, int versionsKept = 10) : IMetadataService
{
    private readonly object _gate = new();
    private readonly SortedDictionary<string, Node> _nodes = new(StringComparer.Ordinal) { ["/"] = new Node(EntryKind.Directory, 1, 0) };
    private readonly Dictionary<ulong, ChunkState> _chunks = [];
    private readonly Dictionary<string, LockState> _locks = new(StringComparer.Ordinal);
    private readonly HashSet<string> _draining = new(StringComparer.Ordinal);
    private ulong _nextInode = 2;
    private ulong _nextChunk = 0x1000;
    private long _nextLease = 1;

    /// <summary>Changes made to the namespace (files, directories, versions): a refused request leaves it as it was.</summary>
    public int Changes { get; private set; }

    /// <summary>Commits attempted, refused or not.</summary>
    public int CommitCalls { get; private set; }

    public int Allocations { get; private set; }

    /// <summary>Requests for a batch of allocations, and the counts they asked for, in order.</summary>
    public List<int> AllocationBatches { get; } = [];

    /// <summary>Awaited before a batch is allocated (with its count): a test holds it back or makes it fail.</summary>
    public Func<int, Task>? BeforeAllocationBatch { get; set; }

    public int Bumps { get; private set; }

    public Task<FileLocation> LookupAsync(string path, long? version = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var node = File(path);
            var v = version is null ? node.Versions[0] : node.Versions.FirstOrDefault(x => x.Number == version)
                ?? throw new MetadataException(MetadataErrorCode.VersionNotFound, $"{path} keeps no version {version}.");
            var chunks = v.Chunks.Select(c => new LocatedChunk(c, _chunks.TryGetValue(c.ChunkId, out var s) ? s.Replicas : [])).ToArray();
            return Task.FromResult(new FileLocation(path, Entry(path, node), v, chunks));
        }
    }

    public Task<MetadataEntry> StatAsync(string path, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(Entry(path, Existing(path)));
        }
    }

    public Task<DirectoryPage> ListAsync(string path, string? startAfter = null, int limit = 1000, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            Directory(path);
            var children = Children(path)
                .Where(c => startAfter is null || Utf8Compare(c.Name, startAfter) > 0)
                .OrderBy(c => c.Name, Comparer<string>.Create(Utf8Compare))
                .ToArray();
            var page = children.Take(limit).Select(c => Entry(c.Path, _nodes[c.Path])).ToArray();
            return Task.FromResult(new DirectoryPage(page, children.Length > limit));
        }
    }

    public Task<IReadOnlyList<FileVersion>> ListVersionsAsync(string path, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<FileVersion>>([.. File(path).Versions]);
        }
    }

    public Task<bool> MkdirAsync(string path, bool parents = true, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var segments = MetadataPath.Parse(path);
            var created = false;
            for (var i = 1; i <= segments.Length; i++)
            {
                var at = MetadataPath.Join(segments, i);
                if (_nodes.TryGetValue(at, out var node))
                {
                    if (node.Kind != EntryKind.Directory)
                    {
                        throw new MetadataException(i == segments.Length ? MetadataErrorCode.AlreadyExists : MetadataErrorCode.NotADirectory, $"{at} is a file.");
                    }
                    continue;
                }
                if (!parents && i < segments.Length)
                {
                    throw new MetadataException(MetadataErrorCode.NotFound, $"{at} does not exist.");
                }
                _nodes[at] = new Node(EntryKind.Directory, _nextInode++, Now());
                created = true;
            }
            if (created)
            {
                Changes++;
            }
            return Task.FromResult(created);
        }
    }

    public Task RenameAsync(string source, string target, bool replace = false, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            MetadataPath.Parse(target);
            var node = Existing(source);
            if (source == "/" || target == "/")
            {
                throw new MetadataException(MetadataErrorCode.InvalidPath, "The root cannot be moved or replaced.");
            }
            if (target == source)
            {
                return Task.CompletedTask;
            }
            if (target.StartsWith(source + "/", StringComparison.Ordinal))
            {
                throw new MetadataException(MetadataErrorCode.RenameIntoItself, $"{source} cannot move into itself ({target}).");
            }
            Directory(Parent(target));
            if (_nodes.TryGetValue(target, out var existing))
            {
                if (!replace)
                {
                    throw new MetadataException(MetadataErrorCode.AlreadyExists, $"{target} exists; pass replace to replace it.");
                }
                if (existing.Kind != node.Kind || (existing.Kind == EntryKind.Directory && Children(target).Any()))
                {
                    throw new MetadataException(existing.Kind == EntryKind.Directory ? MetadataErrorCode.DirectoryNotEmpty : MetadataErrorCode.IsADirectory,
                        $"{target} cannot be replaced by {source}.");
                }
                _nodes.Remove(target);
            }
            foreach (var key in _nodes.Keys.Where(k => k == source || k.StartsWith(source + "/", StringComparison.Ordinal)).ToArray())
            {
                var moved = _nodes[key];
                _nodes.Remove(key);
                _nodes[target + key[source.Length..]] = moved;
            }
            Changes++;
            return Task.CompletedTask;
        }
    }

    public Task<DeleteResult> DeleteAsync(string path, bool recursive = false, ExpectedVersion? expected = null, string? lockOwner = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var node = Existing(path);
            if (path == "/")
            {
                throw new MetadataException(MetadataErrorCode.InvalidPath, "The root cannot be deleted.");
            }
            CheckLock(path, lockOwner);
            if (node.Kind == EntryKind.File && expected is { Number: > 0 } e && node.Versions[0].Number != e.Number)
            {
                throw new MetadataException(MetadataErrorCode.Conflict, $"{path} is at version {node.Versions[0].Number}, not {e.Number}.");
            }
            if (node.Kind == EntryKind.Directory && !recursive && Children(path).Any())
            {
                throw new MetadataException(MetadataErrorCode.DirectoryNotEmpty, $"{path} is not empty.");
            }
            var keys = _nodes.Keys.Where(k => k == path || k.StartsWith(path + "/", StringComparison.Ordinal)).ToArray();
            foreach (var key in keys)
            {
                _nodes.Remove(key);
            }
            Changes++;
            return Task.FromResult(new DeleteResult(keys.Length, []));
        }
    }

    public Task<ChunkAllocation> AllocateChunkAsync(string path, IReadOnlyCollection<string>? exclude = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            MetadataPath.Parse(path);
            var pipeline = servers.Where(s => !_draining.Contains(s.Id) && exclude?.Contains(s.Id) != true).Take(replicationFactor).ToArray();
            if (pipeline.Length == 0)
            {
                throw new MetadataException(MetadataErrorCode.InvalidArgument, $"No chunk server can take a new chunk ({servers.Count} known).");
            }
            var id = _nextChunk++;
            _chunks[id] = new ChunkState(1, pipeline, Committed: false);
            Allocations++;
            return Task.FromResult(new ChunkAllocation(new ChunkId(id), 1, pipeline));
        }
    }

    public async Task<IReadOnlyList<ChunkAllocation>> AllocateChunksAsync(string path, int count, CancellationToken cancellationToken = default)
    {
        if (count is < 1 or > ChunkAllocation.MaxPerRequest)
        {
            throw new MetadataException(MetadataErrorCode.InvalidArgument, $"An allocation asks for 1..{ChunkAllocation.MaxPerRequest} chunks, not {count}.");
        }
        lock (_gate)
        {
            AllocationBatches.Add(count);
        }
        if (BeforeAllocationBatch is { } before)
        {
            await before(count);
        }
        var allocations = new ChunkAllocation[count];
        for (var i = 0; i < count; i++)
        {
            allocations[i] = await AllocateChunkAsync(path, null, cancellationToken);
        }
        return allocations;
    }

    public Task<ChunkAllocation> BumpChunkVersionAsync(ChunkId chunk, long currentVersion, IReadOnlyList<ChunkServerAddress> survivors, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var state = _chunks.TryGetValue(chunk.Value, out var s) ? s : throw new MetadataException(MetadataErrorCode.NotFound, $"No chunk {chunk}.");
            var version = Math.Max(state.Version, currentVersion) + 1;
            _chunks[chunk.Value] = state with { Version = version, Replicas = [.. survivors] };
            Bumps++;
            return Task.FromResult(new ChunkAllocation(chunk, version, [.. survivors]));
        }
    }

    public Task<CommitResult> CommitAsync(string path, ExpectedVersion expected, NewVersion content, string? lockOwner = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            CommitCalls++;
            var segments = MetadataPath.Parse(path);
            if (segments.Length == 0)
            {
                throw new MetadataException(MetadataErrorCode.InvalidPath, "The root is a directory.");
            }
            content.Validate();
            Directory(Parent(path));
            _nodes.TryGetValue(path, out var node);
            if (node is { Kind: EntryKind.Directory })
            {
                throw new MetadataException(MetadataErrorCode.IsADirectory, $"{path} is a directory.");
            }
            CheckLock(path, lockOwner);
            var current = node?.Versions[0].Number ?? 0;
            if ((expected.Number == 0 && node is not null) || (expected.Number > 0 && current != expected.Number))
            {
                throw new MetadataException(MetadataErrorCode.Conflict, $"{path} is at version {current}, not the expected {expected.Number}.");
            }
            foreach (var chunk in content.Chunks)
            {
                if (!_chunks.TryGetValue(chunk.ChunkId, out var state) || state.Committed || state.Version != chunk.ChunkVersion)
                {
                    throw new MetadataException(MetadataErrorCode.InvalidArgument, $"Chunk {chunk.ChunkId:x16} v{chunk.ChunkVersion} was not allocated for this write.");
                }
            }
            foreach (var chunk in content.Chunks)
            {
                _chunks[chunk.ChunkId] = _chunks[chunk.ChunkId] with { Committed = true };
            }
            node ??= new Node(EntryKind.File, _nextInode++, content.CreatedMs);
            var version = new FileVersion(current + 1, content.Size, content.Checksum, content.CreatedMs, content.ContentType, content.Chunks, content.Inline);
            node.Versions.Insert(0, version);
            var dropped = node.Versions.Skip(versionsKept).Select(v => v.Number).ToArray();
            node.Versions.RemoveAll(v => dropped.Contains(v.Number));
            _nodes[path] = node;
            Changes++;
            return Task.FromResult(new CommitResult(version.Number, dropped, []));
        }
    }

    public async Task<LockGrant> LockAsync(string path, string owner, TimeSpan ttl, TimeSpan wait, CancellationToken cancellationToken = default)
    {
        MetadataPath.Parse(path);
        var deadline = DateTimeOffset.UtcNow + wait;
        while (true)
        {
            Task released;
            lock (_gate)
            {
                var state = LockOf(path);
                if (state.Holder is null)
                {
                    state.Holder = new LockHolder(owner, _nextLease++);
                    state.ExpiresMs = Now() + (long)ttl.TotalMilliseconds;
                    state.Ttl = ttl;
                    return new LockGrant(true, owner, state.Holder.LeaseId, 0, state.Holder, state.ExpiresMs);
                }
                if (DateTimeOffset.UtcNow >= deadline)
                {
                    return new LockGrant(false, owner, 0, -1, state.Holder, 0);
                }
                released = state.Released.Task;
            }
            var left = deadline - DateTimeOffset.UtcNow;
            await Task.WhenAny(released, Task.Delay(left > TimeSpan.Zero ? left : TimeSpan.Zero, cancellationToken));
        }
    }

    public Task<LockGrant> RenewLockAsync(string path, string owner, long leaseId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var state = LockOf(path);
            if (state.Holder is not { } holder || holder.ClientId != owner || holder.LeaseId != leaseId)
            {
                throw new MetadataException(MetadataErrorCode.LockNotHeld, $"{owner} holds no lock on {path}.");
            }
            state.ExpiresMs = Now() + (long)state.Ttl.TotalMilliseconds;
            return Task.FromResult(new LockGrant(true, owner, leaseId, 0, holder, state.ExpiresMs));
        }
    }

    public Task UnlockAsync(string path, string owner, long leaseId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var state = LockOf(path);
            if (state.Holder is not { } holder || holder.ClientId != owner || holder.LeaseId != leaseId)
            {
                throw new MetadataException(MetadataErrorCode.LockNotHeld, $"{owner} holds no lock on {path}.");
            }
            state.Holder = null;
            state.Released.TrySetResult();
            state.Released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return Task.CompletedTask;
        }
    }

    public Task<IReadOnlyList<LockHolder>> LockQueueAsync(string path, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            MetadataPath.Parse(path);
            return Task.FromResult<IReadOnlyList<LockHolder>>(_locks.TryGetValue(path, out var state) && state.Holder is { } holder ? [holder] : []);
        }
    }

    public Task<ChunkServersView> ChunkServersAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var views = servers.Select(s => new ChunkServerView(s.Id, s.Host, s.Port, true, _draining.Contains(s.Id), false, 1 << 30, 0, 1 << 30, 0, 0, 0, 0)).ToArray();
            return Task.FromResult(new ChunkServersView(views, replicationFactor, 0, 0));
        }
    }

    public Task DrainAsync(string serverId, bool drain = true, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (servers.All(s => s.Id != serverId))
            {
                throw new MetadataException(MetadataErrorCode.NotFound, $"No chunk server {serverId}.");
            }
            if (drain)
            {
                _draining.Add(serverId);
            }
            else
            {
                _draining.Remove(serverId);
            }
            return Task.CompletedTask;
        }
    }

    private void CheckLock(string path, string? lockOwner)
    {
        if (_locks.TryGetValue(path, out var state) && state.Holder is { } holder && holder.ClientId != lockOwner)
        {
            throw new MetadataException(MetadataErrorCode.Locked, $"{path} is locked by {holder.ClientId}.");
        }
    }

    private LockState LockOf(string path)
    {
        if (!_locks.TryGetValue(path, out var state))
        {
            _locks[path] = state = new LockState();
        }
        return state;
    }

    private Node Existing(string path)
    {
        var segments = MetadataPath.Parse(path);
        for (var i = 1; i < segments.Length; i++)
        {
            var at = MetadataPath.Join(segments, i);
            if (!_nodes.TryGetValue(at, out var parent))
            {
                throw new MetadataException(MetadataErrorCode.NotFound, $"{at} does not exist.");
            }
            if (parent.Kind != EntryKind.Directory)
            {
                throw new MetadataException(MetadataErrorCode.NotADirectory, $"{at} is a file.");
            }
        }
        return _nodes.TryGetValue(path, out var node) ? node : throw new MetadataException(MetadataErrorCode.NotFound, $"{path} does not exist.");
    }

    private Node File(string path)
    {
        var node = Existing(path);
        return node.Kind == EntryKind.File ? node : throw new MetadataException(MetadataErrorCode.IsADirectory, $"{path} is a directory.");
    }

    private void Directory(string path)
    {
        if (Existing(path).Kind != EntryKind.Directory)
        {
            throw new MetadataException(MetadataErrorCode.NotADirectory, $"{path} is a file.");
        }
    }

    private IEnumerable<(string Name, string Path)> Children(string path)
    {
        var prefix = path == "/" ? "/" : path + "/";
        return _nodes.Keys.Where(k => k.Length > prefix.Length && k.StartsWith(prefix, StringComparison.Ordinal) && k.IndexOf('/', prefix.Length) < 0)
            .Select(k => (k[prefix.Length..], k));
    }

    private static MetadataEntry Entry(string path, Node node)
    {
        var name = path == "/" ? "/" : path[(path.LastIndexOf('/') + 1)..];
        var current = node.Versions.FirstOrDefault();
        return new MetadataEntry(name, node.Kind, node.Inode, current?.Size ?? 0, current?.Number ?? 0, current?.CreatedMs ?? node.CreatedMs);
    }

    private static string Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    private static int Utf8Compare(string? a, string? b) => Encoding.UTF8.GetBytes(a ?? "").AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b ?? ""));

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private sealed class Node(EntryKind kind, ulong inode, long createdMs)
    {
        public EntryKind Kind { get; } = kind;

        public ulong Inode { get; } = inode;

        public long CreatedMs { get; } = createdMs;

        public List<FileVersion> Versions { get; } = [];
    }

    private sealed record ChunkState(long Version, IReadOnlyList<ChunkServerAddress> Replicas, bool Committed);

    private sealed class LockState
    {
        public LockHolder? Holder { get; set; }

        public long ExpiresMs { get; set; }

        public TimeSpan Ttl { get; set; }

        public TaskCompletionSource Released { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
