using Dfs.Client.ChunkServers;

namespace Dfs.Client.Metadata.Protocol;

/// <summary>
/// One <see cref="IMetadataService"/> call as it travels in a <c>Metadata</c> request of the internal protocol: the
/// operation and the arguments it takes (the others keep their defaults and are not encoded).
/// </summary>
public sealed record MetadataRequest(MetadataOp Op)
{
    /// <summary>The path the operation acts on (the source of a rename).</summary>
    public string Path { get; init; } = "";

    /// <summary>Rename: where the entry goes.</summary>
    public string Target { get; init; } = "";

    /// <summary>List: the name the page starts after (null: from the first).</summary>
    public string? StartAfter { get; init; }

    /// <summary>List: the most entries to answer.</summary>
    public int Limit { get; init; }

    /// <summary>Lookup: the version asked for (null: the current one).</summary>
    public long? Version { get; init; }

    /// <summary>Mkdir: parents; rename: replace; delete: recursive; drain: drain (false: undrain).</summary>
    public bool Flag { get; init; }

    /// <summary>Delete and commit: the <see cref="ExpectedVersion"/> number.</summary>
    public long Expected { get; init; } = -1;

    /// <summary>Delete and commit: the caller's lock owner id, when it holds the path's lock.</summary>
    public string? LockOwner { get; init; }

    /// <summary>AllocateChunk: servers not to choose.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>AllocateChunks: how many chunks.</summary>
    public int Count { get; init; }

    /// <summary>BumpChunkVersion: the chunk.</summary>
    public ulong ChunkId { get; init; }

    /// <summary>BumpChunkVersion: the chunk's current version.</summary>
    public long ChunkVersion { get; init; }

    /// <summary>BumpChunkVersion: the replicas that carry on, in pipeline order.</summary>
    public IReadOnlyList<ChunkServerAddress> Survivors { get; init; } = [];

    /// <summary>Commit: the new version.</summary>
    public NewVersion? Content { get; init; }

    /// <summary>Lock, renew, unlock: the lock owner.</summary>
    public string Owner { get; init; } = "";

    /// <summary>Lock: the lease's time-to-live, in milliseconds.</summary>
    public long TtlMs { get; init; }

    /// <summary>Lock: how long to wait in the queue, in milliseconds.</summary>
    public long WaitMs { get; init; }

    /// <summary>Renew, unlock: the owner's lease.</summary>
    public long LeaseId { get; init; }

    /// <summary>Drain: the chunk server.</summary>
    public string ServerId { get; init; } = "";

    /// <summary>True for operations that change state: they carry the client's sequence number and are applied once however often they are sent.</summary>
    public static bool IsMutating(MetadataOp op) => op is MetadataOp.Mkdir or MetadataOp.Rename or MetadataOp.Delete or MetadataOp.AllocateChunk
        or MetadataOp.AllocateChunks or MetadataOp.BumpChunkVersion or MetadataOp.Commit or MetadataOp.Lock or MetadataOp.RenewLock or MetadataOp.Unlock or MetadataOp.Drain;
}
