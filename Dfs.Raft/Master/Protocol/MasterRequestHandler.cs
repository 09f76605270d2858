using Dfs.Client.Kv;
using Dfs.Client.Master.Protocol;
using Dfs.Raft.Metadata.Service;

namespace Dfs.Raft.Master.Protocol;

/// <summary>Answers internal-protocol requests from the replicated store, and file-system requests through the file-system service.</summary>
public sealed class MasterRequestHandler(IMasterKv kv, FileSystemService? fileSystem = null)
{
    /// <summary>Executes one request; a failure becomes an error response through <see cref="MasterErrors.From"/>.</summary>
    /// <remarks>A command's bytes go to the log and its result's bytes back to the client as they are; only reads are decoded here.
    /// A status request is answered by any master from its own Raft state.</remarks>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the connection is closing).</exception>
    public async Task<MasterResponse> HandleAsync(MasterRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var body = request.Kind switch
            {
                // This master's own view, leader or not: the gateway asks each master to draw the whole cluster.
                MasterRequestKind.Status => MasterStatusCodec.Encode(kv.Status),
                MasterRequestKind.Read => KvResultCodec.Encode(await ReadAsync(KvCommandCodec.DecodeValidated(request.Command), cancellationToken)),
                MasterRequestKind.Metadata => await (fileSystem ?? throw new InvalidOperationException("This master serves no file-system requests."))
                    .HandleAsync(request.Command, new ClientRequest(request.ClientId, request.Sequence, request.LowestUnanswered), cancellationToken),
                _ => await kv.ExecuteAsync(request.Command,
                    request.ClientId == Guid.Empty ? null : new ClientRequest(request.ClientId, request.Sequence, request.LowestUnanswered),
                    cancellationToken),
            };
            return MasterResponse.Ok(body);
        }
        catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            return MasterResponse.Failed(MasterErrors.From(e));
        }
    }

    private Task<KvResult> ReadAsync(KvCommand command, CancellationToken cancellationToken)
    {
        if (command is not KvOpCommand { Op: { Kind: KvOpKind.Get or KvOpKind.Range } op })
        {
            throw new KvValidationException("A read request must carry a single get or range operation.");
        }
        return kv.ReadAsync(store =>
        {
            if (op.Kind == KvOpKind.Get)
            {
                var item = store.Get(op.Key.Span);
                return new KvResult(KvStatus.Ok, null, store.Revision, true,
                    [new KvOpResult(KvOpKind.Get, item is null ? [] : [item], false, 0)], null);
            }
            var range = store.Range(op.Key.Span, op.End.Span, op.Limit);
            return new KvResult(KvStatus.Ok, null, range.Revision, true, [new KvOpResult(KvOpKind.Range, range.Items, range.More, 0)], null);
        }, linearizable: true, cancellationToken);
    }
}
