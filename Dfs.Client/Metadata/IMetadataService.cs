using Dfs.Client.Chunks;
using Dfs.Client.ChunkServers;

namespace Dfs.Client.Metadata;

/// <summary>
/// The file-system operations the masters' leader offers its clients (gateway, command line, tools) over the internal
/// protocol. Every call is linearizable and every change is applied exactly once, however often a failover makes the
/// client resend it. A refusal is a <see cref="MetadataException"/> whose code names the rule, and changed nothing.
/// </summary>
public interface IMetadataService
{
    /// <summary>A file's version (the current one when <paramref name="version"/> is null) with every chunk's live replicas, least loaded first; resolved in one request however deep the path.</summary>
    /// <exception cref="MetadataException">InvalidPath, NotFound, NotADirectory, IsADirectory, VersionNotFound.</exception>
    Task<FileLocation> LookupAsync(string path, long? version = null, CancellationToken cancellationToken = default);

    /// <exception cref="MetadataException">InvalidPath, NotFound, NotADirectory.</exception>
    Task<MetadataEntry> StatAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="limit"/> immediate children after <paramref name="startAfter"/>, in UTF-8 byte order of names.</summary>
    Task<DirectoryPage> ListAsync(string path, string? startAfter = null, int limit = 1000, CancellationToken cancellationToken = default);

    /// <summary>Every kept version of a file, newest first.</summary>
    Task<IReadOnlyList<FileVersion>> ListVersionsAsync(string path, CancellationToken cancellationToken = default);

    /// <returns>True when a directory was created.</returns>
    Task<bool> MkdirAsync(string path, bool parents = true, CancellationToken cancellationToken = default);

    /// <summary>Moves a file or a directory in one transaction; <paramref name="replace"/> replaces an existing target of the same kind (an empty directory for a directory).</summary>
    Task RenameAsync(string source, string target, bool replace = false, CancellationToken cancellationToken = default);

    /// <summary>Deletes a file, or a directory (empty, or with everything under it when <paramref name="recursive"/>).</summary>
    /// <param name="expected">For a file: the version that must be current (If-Match); Any for no check.</param>
    /// <param name="lockOwner">The caller's lock owner id when it holds the path's lock.</param>
    Task<DeleteResult> DeleteAsync(string path, bool recursive = false, ExpectedVersion? expected = null, string? lockOwner = null, CancellationToken cancellationToken = default);

    /// <summary>Allocates a new chunk for a write to <paramref name="path"/>: a fresh id, version 1, and a pipeline of distinct live servers that are not full or draining.</summary>
    /// <param name="exclude">Servers the writer could not reach; none of them is chosen.</param>
    /// <exception cref="MetadataException">InvalidArgument when too few chunk servers are available (the message says how many are).</exception>
    Task<ChunkAllocation> AllocateChunkAsync(string path, IReadOnlyCollection<string>? exclude = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Allocates <paramref name="count"/> chunks at once, each as <see cref="AllocateChunkAsync"/> allocates one (its own id, version
    /// 1 and pipeline), in one change: what a writer of many small files draws its chunks from (<see cref="ChunkAllocationPool"/>).
    /// </summary>
    /// <exception cref="MetadataException">InvalidArgument when <paramref name="count"/> lies outside 1..<see cref="ChunkAllocation.MaxPerRequest"/> or too few chunk servers are available.</exception>
    Task<IReadOnlyList<ChunkAllocation>> AllocateChunksAsync(string path, int count, CancellationToken cancellationToken = default);

    /// <summary>
    /// For pipeline recovery: a bumped chunk version for <paramref name="chunk"/> (above <paramref name="currentVersion"/>), to be written by
    /// <paramref name="survivors"/> (kept in order); replicas still at the old version become stale.
    /// </summary>
    Task<ChunkAllocation> BumpChunkVersionAsync(ChunkId chunk, long currentVersion, IReadOnlyList<ChunkServerAddress> survivors, CancellationToken cancellationToken = default);

    /// <summary>Makes <paramref name="content"/> the file's current version in one transaction that checks <paramref name="expected"/>; its chunks must have been allocated and not yet committed.</summary>
    /// <exception cref="MetadataException">InvalidPath, InvalidArgument, NotFound, NotADirectory, IsADirectory, Conflict, Locked.</exception>
    Task<CommitResult> CommitAsync(string path, ExpectedVersion expected, NewVersion content, string? lockOwner = null, CancellationToken cancellationToken = default);

    /// <summary>Asks for the path's write lock for <paramref name="owner"/>, with a lease of <paramref name="ttl"/>; waits in the FIFO queue up to <paramref name="wait"/> (zero: answer at once).</summary>
    /// <remarks>When the wait ends without the lock, the owner leaves the queue (Held false, Position -1).</remarks>
    Task<LockGrant> LockAsync(string path, string owner, TimeSpan ttl, TimeSpan wait, CancellationToken cancellationToken = default);

    /// <summary>Extends the lease of a held lock (or queue place) by its time-to-live.</summary>
    /// <exception cref="MetadataException">LockNotHeld when the lease has ended.</exception>
    Task<LockGrant> RenewLockAsync(string path, string owner, long leaseId, CancellationToken cancellationToken = default);

    /// <summary>Releases the lock, or leaves the queue; the next waiter holds it at once.</summary>
    /// <exception cref="MetadataException">LockNotHeld.</exception>
    Task UnlockAsync(string path, string owner, long leaseId, CancellationToken cancellationToken = default);

    /// <summary>Who holds the path's lock, and who waits, in order.</summary>
    Task<IReadOnlyList<LockHolder>> LockQueueAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>The chunk servers and replication work as the leader sees them.</summary>
    Task<ChunkServersView> ChunkServersAsync(CancellationToken cancellationToken = default);

    /// <summary>Operator command: move every replica off <paramref name="serverId"/> and give it no new chunks (undone with <paramref name="drain"/> false).</summary>
    Task DrainAsync(string serverId, bool drain = true, CancellationToken cancellationToken = default);
}
