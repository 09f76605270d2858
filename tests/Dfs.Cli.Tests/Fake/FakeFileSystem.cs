using System.Globalization;
using Dfs.Client.Metadata;
using Dfs.Common.Hashing;

namespace Dfs.Cli.Tests.Fake;

/// <summary>The fake gateway's namespace: paths to files and directories in one ordered dictionary, plus locks; every operation under one lock.</summary>
internal sealed class FakeFileSystem
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, FakeNode> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeLock> _locks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _lockQueues = new(StringComparer.Ordinal);
    private TaskCompletionSource _lockReleased = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FakeFileSystem(TimeProvider time)
    {
        Time = time;
        _nodes["/"] = FakeNode.Directory(time.GetUtcNow());
    }

    public TimeProvider Time { get; }

    /// <summary>Checks a path by the gateway's rules (400 invalid-path naming the rule).</summary>
    public static string Checked(string? routePath)
    {
        var path = "/" + (routePath ?? string.Empty);
        if (path.Length > 1 && path.EndsWith('/'))
        {
            path = path[..^1];
        }
        try
        {
            MetadataPath.Parse(path);
        }
        catch (MetadataException e)
        {
            throw new Problem(400, "invalid-path", e.Message);
        }
        return path;
    }

    public static string ParentOf(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    public static string Etag(byte[] data) => "\"" + Crc32C.Compute(data).ToString("x8", CultureInfo.InvariantCulture) + "\"";

    public FakeNode? Find(string path)
    {
        lock (_gate)
        {
            return _nodes.GetValueOrDefault(path);
        }
    }

    public FakeVersion PutFile(string path, byte[] data, string contentType, string? ifMatch, bool ifNoneMatchAny, string? lockToken)
    {
        lock (_gate)
        {
            CheckLock(path, lockToken);
            var existing = _nodes.GetValueOrDefault(path);
            if (existing is { IsDirectory: true })
            {
                throw Problem.IsADirectory(path);
            }
            if (ifNoneMatchAny && existing is not null)
            {
                throw new Problem(412, "precondition-failed", $"{path} already exists (If-None-Match: *).");
            }
            if (ifMatch is not null && (existing is null || (ifMatch != "*" && existing.Latest.Etag != ifMatch)))
            {
                throw new Problem(412, "precondition-failed", $"The current version of {path} does not have the ETag {ifMatch}.");
            }
            CreateParents(path);
            var now = Time.GetUtcNow();
            var node = existing ?? (_nodes[path] = FakeNode.File(now));
            var version = new FakeVersion(node.Versions.Count == 0 ? 1 : node.Latest.Number + 1, data, Etag(data), now, contentType);
            node.Versions.Add(version);
            node.Modified = now;
            return version;
        }
    }

    public void DeleteFile(string path, string? ifMatch, string? lockToken)
    {
        lock (_gate)
        {
            var node = _nodes.GetValueOrDefault(path) ?? throw Problem.NotFound(path);
            if (node.IsDirectory)
            {
                throw new Problem(409, "is-a-directory", $"{path} is a directory; delete it through /api/dirs.");
            }
            if (ifMatch is not null && ifMatch != "*" && node.Latest.Etag != ifMatch)
            {
                throw new Problem(412, "precondition-failed", $"The current version of {path} does not have the ETag {ifMatch}.");
            }
            CheckLock(path, lockToken);
            _nodes.Remove(path);
        }
    }

    public (List<(string Path, FakeNode Node)> Items, string? Next) ListFiles(string prefix, int limit, string? cursor)
    {
        lock (_gate)
        {
            var matching = _nodes
                .Where(n => !n.Value.IsDirectory && n.Key.StartsWith(prefix, StringComparison.Ordinal)
                    && (cursor is null || string.CompareOrdinal(n.Key, cursor) > 0))
                .Select(n => (n.Key, n.Value))
                .Take(limit + 1)
                .ToList();
            var more = matching.Count > limit;
            var page = matching.Take(limit).ToList();
            return (page, more ? page[^1].Key : null);
        }
    }

    public bool CreateDirectory(string path)
    {
        lock (_gate)
        {
            if (_nodes.TryGetValue(path, out var existing))
            {
                return existing.IsDirectory ? false : throw new Problem(409, "already-exists", $"A file exists at {path}.");
            }
            CreateParents(path);
            _nodes[path] = FakeNode.Directory(Time.GetUtcNow());
            return true;
        }
    }

    public (List<(string Name, string Path, FakeNode Node)> Entries, string? Next) ListDirectory(string path, int limit, string? after)
    {
        lock (_gate)
        {
            var node = _nodes.GetValueOrDefault(path) ?? throw Problem.NotFound(path);
            if (!node.IsDirectory)
            {
                throw Problem.NotADirectory(path);
            }
            var children = ChildrenOf(path)
                .Where(c => after is null || string.CompareOrdinal(c.Name, after) > 0)
                .OrderBy(c => c.Name, StringComparer.Ordinal)
                .Take(limit + 1)
                .ToList();
            var more = children.Count > limit;
            var page = children.Take(limit).ToList();
            return (page, more ? page[^1].Name : null);
        }
    }

    public void DeleteDirectory(string path, bool recursive)
    {
        lock (_gate)
        {
            if (path == "/")
            {
                throw Problem.Invalid("The root directory cannot be deleted.");
            }
            var node = _nodes.GetValueOrDefault(path) ?? throw Problem.NotFound(path);
            if (!node.IsDirectory)
            {
                throw Problem.NotADirectory(path);
            }
            var descendants = Descendants(path);
            if (descendants.Count > 0 && !recursive)
            {
                throw new Problem(409, "directory-not-empty", $"{path} is not empty; delete it with recursive=true.");
            }
            foreach (var key in descendants)
            {
                _nodes.Remove(key);
            }
            _nodes.Remove(path);
        }
    }

    public void Rename(string from, string to, bool replace)
    {
        lock (_gate)
        {
            var node = _nodes.GetValueOrDefault(from) ?? throw Problem.NotFound(from);
            if (from == "/" || to == "/")
            {
                throw Problem.Invalid("The root directory cannot be renamed.");
            }
            if (to.StartsWith(from + "/", StringComparison.Ordinal))
            {
                throw new Problem(409, "rename-into-itself", $"{from} cannot move into itself ({to}).");
            }
            if (from == to)
            {
                return;
            }
            var parent = _nodes.GetValueOrDefault(ParentOf(to)) ?? throw new Problem(404, "not-found", $"The parent of {to} does not exist.");
            if (!parent.IsDirectory)
            {
                throw Problem.NotADirectory(ParentOf(to));
            }
            if (_nodes.TryGetValue(to, out var target))
            {
                if (!replace)
                {
                    throw new Problem(409, "already-exists", $"{to} already exists.");
                }
                if (target.IsDirectory && Descendants(to).Count > 0)
                {
                    throw new Problem(409, "directory-not-empty", $"{to} is a directory that is not empty.");
                }
                _nodes.Remove(to);
            }
            var moving = Descendants(from).Prepend(from).ToList();
            foreach (var key in moving)
            {
                var moved = _nodes[key];
                _nodes.Remove(key);
                _nodes[to + key[from.Length..]] = moved;
            }
        }
    }

    public (FakeLock? Holder, List<string> Queue) LockOf(string path)
    {
        lock (_gate)
        {
            return (Held(path), [.. _lockQueues.GetValueOrDefault(path) ?? []]);
        }
    }

    public async Task<FakeLock> AcquireLockAsync(string path, string owner, TimeSpan ttl, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = Time.GetUtcNow() + wait;
        while (true)
        {
            Task released;
            lock (_gate)
            {
                var holder = Held(path);
                if (holder is null)
                {
                    _lockQueues.GetValueOrDefault(path)?.Remove(owner);
                    var granted = new FakeLock(owner, Guid.NewGuid().ToString("N"), Time.GetUtcNow() + ttl);
                    _locks[path] = granted;
                    return granted;
                }
                var remaining = deadline - Time.GetUtcNow();
                if (remaining <= TimeSpan.Zero)
                {
                    _lockQueues.GetValueOrDefault(path)?.Remove(owner);
                    throw new Problem(423, "locked", $"{path} is locked by {holder.Owner}.");
                }
                var queue = _lockQueues.TryGetValue(path, out var q) ? q : _lockQueues[path] = [];
                if (!queue.Contains(owner))
                {
                    queue.Add(owner);
                }
                released = _lockReleased.Task;
                // A lease that runs out frees the lock without a release: wake up then too.
                var until = holder.Expires - Time.GetUtcNow();
                remaining = until < remaining ? until : remaining;
                released = Task.WhenAny(released, Task.Delay(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, Time, cancellationToken));
            }
            await released;
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    public FakeLock RenewLock(string path, string token, TimeSpan ttl)
    {
        lock (_gate)
        {
            var holder = Held(path);
            if (holder is null || holder.Token != token)
            {
                throw new Problem(409, "lock-not-held", $"The token does not hold the lock on {path}.");
            }
            return _locks[path] = holder with { Expires = Time.GetUtcNow() + ttl };
        }
    }

    public void ReleaseLock(string path, string? token)
    {
        lock (_gate)
        {
            var holder = Held(path);
            if (holder is null || holder.Token != token)
            {
                throw new Problem(409, "lock-not-held", $"The token does not hold the lock on {path}.");
            }
            _locks.Remove(path);
            _lockReleased.TrySetResult();
            _lockReleased = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private FakeLock? Held(string path) =>
        _locks.TryGetValue(path, out var held) && held.Expires > Time.GetUtcNow() ? held : null;

    private void CheckLock(string path, string? token)
    {
        var holder = Held(path);
        if (holder is not null && holder.Token != token)
        {
            throw new Problem(423, "locked", $"{path} is locked by {holder.Owner}; pass its token in X-Dfs-Lock-Token.");
        }
    }

    private void CreateParents(string path)
    {
        var parent = ParentOf(path);
        if (parent == path)
        {
            return;
        }
        if (_nodes.TryGetValue(parent, out var node))
        {
            if (!node.IsDirectory)
            {
                throw Problem.NotADirectory(parent);
            }
            return;
        }
        CreateParents(parent);
        _nodes[parent] = FakeNode.Directory(Time.GetUtcNow());
    }

    private IEnumerable<(string Name, string Path, FakeNode Node)> ChildrenOf(string directory)
    {
        var prefix = directory == "/" ? "/" : directory + "/";
        return _nodes
            .Where(n => n.Key.Length > prefix.Length && n.Key.StartsWith(prefix, StringComparison.Ordinal) && n.Key.IndexOf('/', prefix.Length) < 0)
            .Select(n => (n.Key[prefix.Length..], n.Key, n.Value));
    }

    private List<string> Descendants(string directory)
    {
        var prefix = directory == "/" ? "/" : directory + "/";
        return [.. _nodes.Keys.Where(k => k.Length > prefix.Length && k.StartsWith(prefix, StringComparison.Ordinal))];
    }
}
