using Dfs.Client.Chunks;
using Dfs.Client.ChunkServers;
using Dfs.Client.Master;
using Dfs.Client.Metadata.Protocol;

namespace Dfs.Client.Metadata;

/// <summary>
/// <see cref="IMetadataService"/> over the internal protocol: each call is one <c>Metadata</c> request to the masters' leader
/// through a <see cref="MasterClient"/>, which finds the leader, follows failovers and resends a change with the same sequence
/// number, so the leader applies it once.
/// </summary>
/// <remarks>Thread-safe; it does not own the <see cref="MasterClient"/>. A refusal arrives as the <see cref="MetadataException"/> the leader threw.</remarks>
public sealed class MetadataClient(MasterClient masters) : IMetadataService
{
    private readonly MasterClient _masters = masters ?? throw new ArgumentNullException(nameof(masters));

    public async Task<FileLocation> LookupAsync(string path, long? version = null, CancellationToken cancellationToken = default) =>
        MetadataResultCodec.DecodeLocation((await CallAsync(new MetadataRequest(MetadataOp.Lookup) { Path = path, Version = version }, cancellationToken)).Span);

    public async Task<MetadataEntry> StatAsync(string path, CancellationToken cancellationToken = default) =>
        MetadataResultCodec.DecodeEntry((await CallAsync(new MetadataRequest(MetadataOp.Stat) { Path = path }, cancellationToken)).Span);

    public async Task<DirectoryPage> ListAsync(string path, string? startAfter = null, int limit = 1000, CancellationToken cancellationToken = default) =>
        MetadataResultCodec.DecodePage((await CallAsync(new MetadataRequest(MetadataOp.List) { Path = path, StartAfter = startAfter, Limit = limit },
            cancellationToken)).Span);

    public async Task<IReadOnlyList<FileVersion>> ListVersionsAsync(string path, CancellationToken cancellationToken = default) =>
        MetadataResultCodec.DecodeVersions((await CallAsync(new MetadataRequest(MetadataOp.ListVersions) { Path = path }, cancellationToken)).Span);

    public async Task<bool> MkdirAsync(string path, bool parents = true, CancellationToken cancellationToken = default) =>
        MetadataResultCodec.DecodeBoolean((await CallAsync(new MetadataRequest(MetadataOp.Mkdir) { Path = path, Flag = parents }, cancellationToken)).Span);

    public async Task RenameAsync(string source, string target, bool replace = false, CancellationToken cancellationToken = default) =>
        MetadataResultCodec.DecodeEmpty((await CallAsync(new MetadataRequest(MetadataOp.Rename) { Path = source, Target = target, Flag = replace },
            cancellationToken)).Span);

    public async Task<DeleteResult> DeleteAsync(string path, bool recursive = false, ExpectedVersion? expected = null, string? lockOwner = null,
        CancellationToken cancellationToken = default) =>
        MetadataResultCodec.DecodeDelete((await CallAsync(new MetadataRequest(MetadataOp.Delete)
        {
            Path = path,
            Flag = recursive,
            Expected = (expected ?? ExpectedVersion.Any).Number,
            LockOwner = lockOwner,
        }, cancellationToken)).Span);

    public async Task<ChunkAllocation> AllocateChunkAsync(string path, IReadOnlyCollection<string>? exclude = null, CancellationToken cancellationToken = default) =>
        MetadataResultCodec.DecodeAllocation((await CallAsync(new MetadataRequest(MetadataOp.AllocateChunk) { Path = path, Exclude = [.. exclude ?? []] },
            cancellationToken)).Span);

    public async Task<IReadOnlyList<ChunkAllocation>> AllocateChunksAsync(string path, int count, CancellationToken cancellationToken = default) =>
        MetadataResultCodec.DecodeAllocations((await CallAsync(new MetadataRequest(MetadataOp.AllocateChunks) { Path = path, Count = count },
            cancellationToken)).Span);

    public async Task<ChunkAllocation> BumpChunkVersionAsync(ChunkId chunk, long currentVersion, IReadOnlyList<ChunkServerAddress> survivors,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(survivors);
        return MetadataResultCodec.DecodeAllocation((await CallAsync(new MetadataRequest(MetadataOp.BumpChunkVersion)
        {
            ChunkId = chunk.Value,
            ChunkVersion = currentVersion,
            Survivors = survivors,
        }, cancellationToken)).Span);
    }

    public async Task<CommitResult> CommitAsync(string path, ExpectedVersion expected, NewVersion content, string? lockOwner = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        // Refused here as the leader would refuse it, without a round trip.
        content.Validate();
        return MetadataResultCodec.DecodeCommit((await CallAsync(new MetadataRequest(MetadataOp.Commit)
        {
            Path = path,
            Expected = expected.Number,
            Content = content,
            LockOwner = lockOwner,
        }, cancellationToken)).Span);
    }

    public async Task<LockGrant> LockAsync(string path, string owner, TimeSpan ttl, TimeSpan wait, CancellationToken cancellationToken = default) =>
        MetadataResultCodec.DecodeGrant((await CallAsync(new MetadataRequest(MetadataOp.Lock)
        {
            Path = path,
            Owner = owner,
            TtlMs = (long)ttl.TotalMilliseconds,
            WaitMs = (long)wait.TotalMilliseconds,
        }, cancellationToken)).Span);

    public async Task<LockGrant> RenewLockAsync(string path, string owner, long leaseId, CancellationToken cancellationToken = default) =>
        MetadataResultCodec.DecodeGrant((await CallAsync(new MetadataRequest(MetadataOp.RenewLock) { Path = path, Owner = owner, LeaseId = leaseId },
            cancellationToken)).Span);

    public async Task UnlockAsync(string path, string owner, long leaseId, CancellationToken cancellationToken = default) =>
        MetadataResultCodec.DecodeEmpty((await CallAsync(new MetadataRequest(MetadataOp.Unlock) { Path = path, Owner = owner, LeaseId = leaseId },
            cancellationToken)).Span);

    public async Task<IReadOnlyList<LockHolder>> LockQueueAsync(string path, CancellationToken cancellationToken = default) =>
        MetadataResultCodec.DecodeHolders((await CallAsync(new MetadataRequest(MetadataOp.LockQueue) { Path = path }, cancellationToken)).Span);

    public async Task<ChunkServersView> ChunkServersAsync(CancellationToken cancellationToken = default) =>
        MetadataResultCodec.DecodeChunkServers((await CallAsync(new MetadataRequest(MetadataOp.ChunkServers), cancellationToken)).Span);

    public async Task DrainAsync(string serverId, bool drain = true, CancellationToken cancellationToken = default) =>
        MetadataResultCodec.DecodeEmpty((await CallAsync(new MetadataRequest(MetadataOp.Drain) { ServerId = serverId, Flag = drain }, cancellationToken)).Span);

    private Task<ReadOnlyMemory<byte>> CallAsync(MetadataRequest request, CancellationToken cancellationToken) =>
        _masters.MetadataAsync(MetadataRequestCodec.Encode(request), MetadataRequest.IsMutating(request.Op), cancellationToken);
}
