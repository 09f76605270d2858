using Dfs.Client.Chunks;
using Dfs.Client.Metadata;
using Dfs.Client.Metadata.Protocol;
using Dfs.Raft.Master;

namespace Dfs.Raft.Metadata.Service;

public sealed partial class FileSystemService
{
    /// <summary>Runs one encoded <see cref="MetadataRequest"/> and answers its encoded result.</summary>
    /// <param name="body">The request as <see cref="MetadataRequestCodec"/> encodes it.</param>
    /// <param name="client">
    /// The sender's client id and sequence number: a change sent again under the same pair is applied once and answers the
    /// first answer. Null (or an empty id, or sequence 0) for a request that is not to be deduplicated.
    /// </param>
    /// <exception cref="MetadataException">The operation was refused (a malformed request is InvalidArgument); nothing changed.</exception>
    public async Task<byte[]> HandleAsync(ReadOnlyMemory<byte> body, ClientRequest? client, CancellationToken cancellationToken)
    {
        var r = MetadataRequestCodec.Decode(body.Span);
        ClientRequest? origin = client is { Sequence: > 0 } c && c.ClientId != Guid.Empty && MetadataRequest.IsMutating(r.Op) ? c : null;
        switch (r.Op)
        {
            case MetadataOp.Lookup:
                return MetadataResultCodec.Encode(await LookupAsync(r.Path, r.Version, cancellationToken).ConfigureAwait(false));
            case MetadataOp.Stat:
                return MetadataResultCodec.Encode(await StatAsync(r.Path, cancellationToken).ConfigureAwait(false));
            case MetadataOp.List:
                return MetadataResultCodec.Encode(await ListAsync(r.Path, r.StartAfter, r.Limit, cancellationToken).ConfigureAwait(false));
            case MetadataOp.ListVersions:
                return MetadataResultCodec.Encode(await ListVersionsAsync(r.Path, cancellationToken).ConfigureAwait(false));
            case MetadataOp.LockQueue:
                return MetadataResultCodec.Encode(await LockQueueAsync(r.Path, cancellationToken).ConfigureAwait(false));
            case MetadataOp.ChunkServers:
                return MetadataResultCodec.Encode(await ChunkServersAsync(cancellationToken).ConfigureAwait(false));
            case MetadataOp.Mkdir:
                return await OnceAsync(origin, f => StoreWith(f).MkdirAsync(r.Path, r.Flag, cancellationToken), v => MetadataResultCodec.Encode((bool)v!))
                    .ConfigureAwait(false);
            case MetadataOp.Rename:
                return await OnceAsync(origin, async f =>
                {
                    await StoreWith(f).RenameAsync(r.Path, r.Target, r.Flag, cancellationToken).ConfigureAwait(false);
                    return true;
                }, _ => MetadataResultCodec.Empty).ConfigureAwait(false);
            case MetadataOp.Delete:
                return await OnceAsync(origin, f => DeleteCoreAsync(StoreWith(f), r.Path, r.Flag, new ExpectedVersion(r.Expected), r.LockOwner, cancellationToken),
                    v => MetadataResultCodec.Encode((DeleteResult)v!)).ConfigureAwait(false);
            case MetadataOp.AllocateChunk:
                // One allocation answered alone: the single-chunk form pipeline recovery asks for, with the servers to avoid.
                return await OnceAsync(origin, f => AllocateCoreAsync(r.Path, 1, r.Exclude, f, cancellationToken),
                    v => MetadataResultCodec.Encode(((IReadOnlyList<ChunkAllocation>)v!)[0])).ConfigureAwait(false);
            case MetadataOp.AllocateChunks:
                return await OnceAsync(origin, f => AllocateCoreAsync(r.Path, r.Count, null, f, cancellationToken),
                    v => MetadataResultCodec.Encode((IReadOnlyList<ChunkAllocation>)v!)).ConfigureAwait(false);
            case MetadataOp.BumpChunkVersion:
                return await OnceAsync(origin, f => BumpCoreAsync(new ChunkId(r.ChunkId), r.ChunkVersion, r.Survivors, f, cancellationToken),
                    v => MetadataResultCodec.Encode((ChunkAllocation)v!)).ConfigureAwait(false);
            case MetadataOp.Commit:
                return await OnceAsync(origin, f => CommitCoreAsync(r.Path, new ExpectedVersion(r.Expected), r.Content!, r.LockOwner, f, cancellationToken),
                    v => MetadataResultCodec.Encode((CommitResult)v!)).ConfigureAwait(false);
            case MetadataOp.Lock:
                return await OnceAsync(origin, f => LockCoreAsync(r.Path, r.Owner, r.TtlMs, r.WaitMs, f, cancellationToken),
                    v => MetadataResultCodec.Encode((LockGrant)v!)).ConfigureAwait(false);
            case MetadataOp.RenewLock:
                // A renewal is a keep-alive: doing it twice does what doing it once does.
                return MetadataResultCodec.Encode(await RenewLockAsync(r.Path, r.Owner, r.LeaseId, cancellationToken).ConfigureAwait(false));
            case MetadataOp.Unlock:
                return await OnceAsync(origin, async f =>
                {
                    await UnlockCoreAsync(r.Path, r.Owner, r.LeaseId, f, cancellationToken).ConfigureAwait(false);
                    return true;
                }, _ => MetadataResultCodec.Empty).ConfigureAwait(false);
            case MetadataOp.Drain:
                // Setting a flag to the same value twice does what setting it once does.
                await DrainAsync(r.ServerId, r.Flag, cancellationToken).ConfigureAwait(false);
                return MetadataResultCodec.Empty;
            default:
                throw new MetadataException(MetadataErrorCode.InvalidArgument, $"Unknown metadata operation {r.Op}.");
        }
    }

    /// <summary>Runs a change, exactly once for <paramref name="origin"/>: a copy of a request already applied answers the recorded result.</summary>
    private async Task<byte[]> OnceAsync<T>(ClientRequest? origin, Func<OutcomeFactory?, Task<T>> run, Func<object?, byte[]> encode)
    {
        if (origin is not { } request)
        {
            return encode(await run(null).ConfigureAwait(false));
        }
        var now = NowMs;
        try
        {
            return encode(await run(inner => new OutcomeHook(request, now, encode, inner)).ConfigureAwait(false));
        }
        catch (OutcomeReplayedException replayed)
        {
            Log.Replayed(_logger, request.ClientId, request.Sequence);
            return replayed.Result;
        }
    }

    private MetadataStore StoreWith(OutcomeFactory? outcome) => outcome is null ? Store : Store.With(outcome(null));

    /// <summary>Reads the request's recorded answer, if any, through <paramref name="hook"/>: throws <see cref="OutcomeReplayedException"/> when there is one.</summary>
    /// <param name="local">
    /// Read this master's applied state, with no read barrier: enough before a write whose transaction compares the answer
    /// still missing (an answer recorded but not yet applied here fails that compare, and the caller checks again linearizably).
    /// </param>
    private Task CheckReplayAsync(MetadataWriteHook? hook, CancellationToken cancellationToken, bool local = false)
    {
        if (hook is null)
        {
            return Task.CompletedTask;
        }
        Func<IKvView, bool> check = view =>
        {
            hook.BeforePlan(view);
            return true;
        };
        return local ? _kv.ReadLocalAsync(check, cancellationToken) : _kv.ReadAsync(check, cancellationToken);
    }
}
