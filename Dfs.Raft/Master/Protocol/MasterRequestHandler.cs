using Dfs.Raft.Client;
using Dfs.Raft.Consensus.Hosting;
using Dfs.Raft.Kv;

namespace Dfs.Raft.Master.Protocol;

/// <summary>Answers internal-protocol requests from the replicated store.</summary>
public sealed class MasterRequestHandler(IMasterKv kv)
{
    /// <summary>Executes one request; never throws for a request's own faults (they become Invalid).</summary>
    /// <remarks>A command's bytes go to the log and its result's bytes back to the client as they are; only reads are decoded here.</remarks>
    public async Task<(MasterResponseStatus Status, ReadOnlyMemory<byte> Body)> HandleAsync(MasterRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var body = request.Kind == MasterRequestKind.Read
                ? KvResultCodec.Encode(await ReadAsync(KvCommandCodec.DecodeValidated(request.Command), cancellationToken))
                : await kv.ExecuteAsync(request.Command,
                    request.ClientId == Guid.Empty ? null : new ClientRequest(request.ClientId, request.Sequence, request.LowestUnanswered),
                    cancellationToken);
            return (MasterResponseStatus.Ok, body);
        }
        catch (Exception e) when (e is KvFormatException or KvValidationException or InvalidDataException)
        {
            return (MasterResponseStatus.Invalid, System.Text.Encoding.UTF8.GetBytes(e.Message));
        }
        catch (NotLeaderException e)
        {
            return (MasterResponseStatus.NotLeader, System.Text.Encoding.UTF8.GetBytes(e.LeaderId ?? ""));
        }
        catch (ProposalOutcomeUnknownException e)
        {
            return (MasterResponseStatus.OutcomeUnknown, System.Text.Encoding.UTF8.GetBytes(e.Message));
        }
        catch (ProposalRejectedException e)
        {
            return (MasterResponseStatus.Unavailable, System.Text.Encoding.UTF8.GetBytes(e.Message));
        }
        catch (ResponseDiscardedException e)
        {
            return (MasterResponseStatus.Invalid, System.Text.Encoding.UTF8.GetBytes(e.Message));
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
