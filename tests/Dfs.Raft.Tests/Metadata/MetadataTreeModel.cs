using Dfs.Client.Metadata;
using Dfs.Raft.Metadata;

namespace Dfs.Raft.Tests.Metadata;

/// <summary>A plain in-memory tree with the schema's rules, for model-based testing: each operation returns the refusal it expects, or null.</summary>
internal sealed class MetadataTreeModel
{
    public Node Root { get; } = new(true);

    public MetadataErrorCode? Mkdir(string[] path, bool parents)
    {
        if (path.Length == 0)
        {
            return parents ? null : MetadataErrorCode.AlreadyExists;
        }
        var node = Root;
        var i = 0;
        for (; i < path.Length && node.Children.TryGetValue(path[i], out var child); i++)
        {
            if (!child.IsDirectory)
            {
                return i == path.Length - 1 ? MetadataErrorCode.AlreadyExists : MetadataErrorCode.NotADirectory;
            }
            node = child;
        }
        if (i == path.Length)
        {
            return parents ? null : MetadataErrorCode.AlreadyExists;
        }
        if (!parents && i < path.Length - 1)
        {
            return MetadataErrorCode.NotFound;
        }
        for (; i < path.Length; i++)
        {
            var created = new Node(true);
            node.Children.Add(path[i], created);
            node = created;
        }
        return null;
    }

    public MetadataErrorCode? Commit(string[] path, long expected, long size)
    {
        if (path.Length == 0)
        {
            return MetadataErrorCode.IsADirectory;
        }
        var (parent, error) = Resolve(path, path.Length - 1);
        if (error is not null)
        {
            return error;
        }
        if (!parent!.IsDirectory)
        {
            return MetadataErrorCode.NotADirectory;
        }
        if (!parent.Children.TryGetValue(path[^1], out var file))
        {
            if (expected > 0)
            {
                return MetadataErrorCode.Conflict;
            }
            parent.Children.Add(path[^1], new Node(false) { Version = 1, Size = size });
            return null;
        }
        if (file.IsDirectory)
        {
            return MetadataErrorCode.IsADirectory;
        }
        if (expected == 0 || (expected > 0 && expected != file.Version))
        {
            return MetadataErrorCode.Conflict;
        }
        file.Version++;
        file.Size = size;
        return null;
    }

    public MetadataErrorCode? Rename(string[] from, string[] to, bool replace)
    {
        if (from.Length == 0 || to.Length == 0)
        {
            return MetadataErrorCode.InvalidPath;
        }
        var (moved, error) = Resolve(from, from.Length);
        if (error is not null)
        {
            return error;
        }
        if (from.SequenceEqual(to))
        {
            return null;
        }
        var (parent, parentError) = Resolve(to, to.Length - 1);
        if (parentError is not null)
        {
            return parentError;
        }
        if (!parent!.IsDirectory)
        {
            return MetadataErrorCode.NotADirectory;
        }
        if (moved!.IsDirectory && Ancestry(to, to.Length - 1).Contains(moved))
        {
            return MetadataErrorCode.RenameIntoItself;
        }
        if (parent.Children.TryGetValue(to[^1], out var existing))
        {
            if (!replace)
            {
                return MetadataErrorCode.AlreadyExists;
            }
            if (existing.IsDirectory && !moved.IsDirectory)
            {
                return MetadataErrorCode.IsADirectory;
            }
            if (!existing.IsDirectory && moved.IsDirectory)
            {
                return MetadataErrorCode.NotADirectory;
            }
            if (existing.IsDirectory && existing.Children.Count > 0)
            {
                return MetadataErrorCode.DirectoryNotEmpty;
            }
        }
        Resolve(from, from.Length - 1).Node!.Children.Remove(from[^1]);
        parent.Children[to[^1]] = moved;
        return null;
    }

    public MetadataErrorCode? Delete(string[] path, bool recursive)
    {
        if (path.Length == 0)
        {
            return MetadataErrorCode.InvalidPath;
        }
        var (node, error) = Resolve(path, path.Length);
        if (error is not null)
        {
            return error;
        }
        if (node!.IsDirectory && node.Children.Count > 0 && !recursive)
        {
            return MetadataErrorCode.DirectoryNotEmpty;
        }
        Resolve(path, path.Length - 1).Node!.Children.Remove(path[^1]);
        return null;
    }

    /// <summary>Every node below the root with its path, parents first.</summary>
    public IEnumerable<(string Path, Node Node)> All()
    {
        var pending = new Stack<(string, Node)>([("", Root)]);
        while (pending.Count > 0)
        {
            var (path, node) = pending.Pop();
            foreach (var (name, child) in node.Children)
            {
                var childPath = path + "/" + name;
                yield return (childPath, child);
                pending.Push((childPath, child));
            }
        }
    }

    public (Node? Node, MetadataErrorCode? Error) Resolve(string[] path, int count)
    {
        var node = Root;
        for (var i = 0; i < count; i++)
        {
            if (!node.IsDirectory)
            {
                return (null, MetadataErrorCode.NotADirectory);
            }
            if (!node.Children.TryGetValue(path[i], out var child))
            {
                return (null, MetadataErrorCode.NotFound);
            }
            node = child;
        }
        return (node, null);
    }

    private List<Node> Ancestry(string[] path, int count)
    {
        var nodes = new List<Node>();
        var node = Root;
        for (var i = 0; i < count; i++)
        {
            node = node.Children[path[i]];
            nodes.Add(node);
        }
        return nodes;
    }

    /// <summary>A directory (children by name, in ordinal order) or a file (version and size).</summary>
    internal sealed class Node(bool isDirectory)
    {
        public bool IsDirectory { get; } = isDirectory;

        public SortedDictionary<string, Node> Children { get; } = new(StringComparer.Ordinal);

        public long Version { get; set; }

        public long Size { get; set; }
    }
}
