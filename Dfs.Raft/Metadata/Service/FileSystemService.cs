using Dfs.Client.Chunks;
using Dfs.Client.ChunkServers;
using Dfs.Client.Metadata;
using Dfs.Raft.ChunkServers;

namespace Dfs.Raft.Metadata.Service;

/// <summary>
/// The masters' file-system service: the <see cref="IMetadataService"/> operations, run on the leader over the metadata
/// schema (<see cref="MetadataStore"/>) and the chunk-server directory, and the leader's garbage collection of chunks.
/// </summary>
/// <remarks>
/// Every read is linearizable and every write goes through the Raft log; on a follower both throw
/// <see cref="Consensus.Hosting.NotLeaderException"/>, and so do the operations answered from the directory's soft state.
/// A write plans on the leader's applied state and commits with compares that pin what it read, so a write that commits
/// costs one Raft entry and no read barrier; what a write answers without committing is read linearizably.
/// A change that arrives over the internal protocol with a client id and sequence number (<see cref="HandleAsync"/>) is applied
/// once: its final transaction also records its answer under the (client, sequence), and a copy of the request answers that
/// record. Bad input is refused before anything is read or written. Thread-safe.
/// </remarks>
public sealed partial class FileSystemService : IMetadataService
{
    // A write of the service's own records that keeps losing races gives up with Conflict rather than spin.
    private const int MaxAttempts = 32;

    private readonly IMetadataKv _kv;
    private readonly IdBlocks _chunkIds;
    private readonly IChunkServerDirectory _directory;
    private readonly IMetadataLeadership _leadership;
    private readonly FileSystemServiceOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public FileSystemService(IMetadataKv kv, IChunkServerDirectory directory, IMetadataLeadership leadership, FileSystemServiceOptions options,
        TimeProvider? time = null, ILogger<FileSystemService>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(kv);
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(leadership);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _kv = kv;
        _directory = directory;
        _leadership = leadership;
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        Store = new MetadataStore(kv, new MetadataOptions { KeepVersions = options.VersionsKept }, _time);
        _chunkIds = new IdBlocks(kv, ServiceKeys.NextChunkId, 1, options.ChunkIdBlock, "chunk ids");
    }

    /// <summary>The schema the service runs on.</summary>
    public MetadataStore Store { get; }

    public FileSystemServiceOptions Options => _options;

    public async Task<FileLocation> LookupAsync(string path, long? version = null, CancellationToken cancellationToken = default)
    {
        var (entry, found) = await Store.LocateAsync(path, version, cancellationToken).ConfigureAwait(false);
        var chunks = new LocatedChunk[found.Chunks.Count];
        for (var i = 0; i < chunks.Length; i++)
        {
            var chunk = found.Chunks[i];
            chunks[i] = new LocatedChunk(chunk, _directory.Replicas(chunk.ChunkId, chunk.ChunkVersion));
        }
        return new FileLocation(path, entry, found, chunks);
    }

    public Task<MetadataEntry> StatAsync(string path, CancellationToken cancellationToken = default) => Store.StatAsync(path, cancellationToken);

    public Task<DirectoryPage> ListAsync(string path, string? startAfter = null, int limit = 1000, CancellationToken cancellationToken = default) =>
        Store.ListAsync(path, startAfter, limit, cancellationToken);

    public Task<IReadOnlyList<FileVersion>> ListVersionsAsync(string path, CancellationToken cancellationToken = default) =>
        Store.ListVersionsAsync(path, cancellationToken);

    public Task<bool> MkdirAsync(string path, bool parents = true, CancellationToken cancellationToken = default) =>
        Store.MkdirAsync(path, parents, cancellationToken);

    public Task RenameAsync(string source, string target, bool replace = false, CancellationToken cancellationToken = default) =>
        Store.RenameAsync(source, target, replace, cancellationToken);

    public Task<DeleteResult> DeleteAsync(string path, bool recursive = false, ExpectedVersion? expected = null, string? lockOwner = null,
        CancellationToken cancellationToken = default) =>
        DeleteCoreAsync(Store, path, recursive, expected ?? ExpectedVersion.Any, lockOwner, cancellationToken);

    public async Task<ChunkAllocation> AllocateChunkAsync(string path, IReadOnlyCollection<string>? exclude = null, CancellationToken cancellationToken = default) =>
        (await AllocateCoreAsync(path, 1, exclude, null, cancellationToken).ConfigureAwait(false))[0];

    public Task<IReadOnlyList<ChunkAllocation>> AllocateChunksAsync(string path, int count, CancellationToken cancellationToken = default) =>
        AllocateCoreAsync(path, count, null, null, cancellationToken);

    public Task<ChunkAllocation> BumpChunkVersionAsync(ChunkId chunk, long currentVersion, IReadOnlyList<ChunkServerAddress> survivors,
        CancellationToken cancellationToken = default) =>
        BumpCoreAsync(chunk, currentVersion, survivors, null, cancellationToken);

    public Task<CommitResult> CommitAsync(string path, ExpectedVersion expected, NewVersion content, string? lockOwner = null,
        CancellationToken cancellationToken = default) =>
        CommitCoreAsync(path, expected, content, lockOwner, null, cancellationToken);

    public Task<ChunkServersView> ChunkServersAsync(CancellationToken cancellationToken = default)
    {
        _leadership.ThrowIfNotLeader();
        return Task.FromResult(_directory.View());
    }

    public async Task DrainAsync(string serverId, bool drain = true, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(serverId))
        {
            throw new MetadataException(MetadataErrorCode.InvalidArgument, "A drain names a chunk server id.");
        }
        _leadership.ThrowIfNotLeader();
        try
        {
            await _directory.SetDrainingAsync(serverId, drain, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            throw new MetadataException(MetadataErrorCode.NotFound, e.Message);
        }
    }

    private static Task<DeleteResult> DeleteCoreAsync(MetadataStore store, string path, bool recursive, ExpectedVersion expected, string? lockOwner,
        CancellationToken cancellationToken)
    {
        if (expected.Number < -1)
        {
            throw new MetadataException(MetadataErrorCode.InvalidArgument, $"An expected version is -1 (any), 0 (none) or positive; {expected.Number} is not.");
        }
        return store.DeleteAsync(path, recursive, lockOwner, expected, cancellationToken);
    }

    private Task<CommitResult> CommitCoreAsync(string path, ExpectedVersion expected, NewVersion content, string? lockOwner, OutcomeFactory? outcome,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        content.Validate();
        if (expected.Number < -1)
        {
            throw new MetadataException(MetadataErrorCode.InvalidArgument, $"An expected version is -1 (any), 0 (none) or positive; {expected.Number} is not.");
        }
        if (content.Inline is { } inline && inline.Length > _options.InlineFileBytes)
        {
            throw new MetadataException(MetadataErrorCode.InvalidArgument, _options.InlineFileBytes == 0
                ? "This cluster keeps no file inline (inlineFileBytes is 0); write the content in chunks."
                : $"This cluster keeps files of at most {_options.InlineFileBytes} bytes inline (inlineFileBytes); {inline.Length} bytes go in chunks.");
        }
        var seen = new HashSet<ulong>();
        foreach (var chunk in content.Chunks)
        {
            if (!seen.Add(chunk.ChunkId))
            {
                throw new MetadataException(MetadataErrorCode.InvalidArgument, $"Invalid version: chunk {chunk.ChunkId:x16} is listed twice.");
            }
        }
        MetadataWriteHook hook = new AllocationCheckHook(content.Chunks);
        if (outcome is not null)
        {
            hook = outcome(hook);
        }
        return Store.With(hook).CommitAsync(path, expected, content, lockOwner, cancellationToken);
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Wraps the operation's own hook (if any) in the exactly-once record of its request.</summary>
    private delegate MetadataWriteHook OutcomeFactory(MetadataWriteHook? inner);
}
