namespace Dfs.Raft.Consensus;

/// <summary>What a snapshot covers: the state after applying every entry up to <see cref="Index"/>.</summary>
/// <param name="Index">The last log index the snapshot includes.</param>
/// <param name="Term">The term of that entry.</param>
/// <param name="Configuration">The cluster configuration in force at <paramref name="Index"/>.</param>
public sealed record SnapshotMetadata(long Index, long Term, ClusterConfiguration Configuration);

/// <summary>The bytes of a snapshot, readable as many times as needed (sent to several followers, restored).</summary>
public abstract class SnapshotPayload
{
    public abstract long Length { get; }

    /// <summary>Opens a fresh stream over the snapshot from its start.</summary>
    public abstract Stream OpenRead();
}

/// <summary>A snapshot held in memory (simulation, tests, small state).</summary>
public sealed class MemorySnapshotPayload(ReadOnlyMemory<byte> bytes) : SnapshotPayload
{
    public ReadOnlyMemory<byte> Bytes { get; } = bytes;

    public override long Length => Bytes.Length;

    public override Stream OpenRead() => new MemoryStream(Bytes.ToArray(), writable: false);
}

/// <summary>A snapshot in a file that nothing rewrites while it is referenced (snapshot files are immutable once committed).</summary>
public sealed class FileSnapshotPayload(string path) : SnapshotPayload
{
    public string Path { get; } = path;

    public override long Length => new FileInfo(Path).Length;

    public override Stream OpenRead() =>
        new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
}
