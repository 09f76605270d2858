using Dfs.Raft.Client;
using Dfs.Raft.Consensus.Hosting;
using Dfs.Raft.Kv;

namespace Dfs.Raft.Master.Protocol;

/// <summary>Answers internal-protocol requests from the replicated store.</summary>
public sealed class MasterRequestHandler(IMasterKv kv)
{
    /// <summary>Executes one request; never throws for a request's own faults (they become Invalid).</summary>
    public async Task<(MasterResponseStatus Status, byte[] Body)> HandleAsync(MasterRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var command = KvCommandCodec.Decode(request.Command);
            command.Validate();
            var result = request.Kind == MasterRequestKind.Read
                ? await ReadAsync(command, cancellationToken)
                : await kv.ExecuteAsync(command,
                    request.ClientId == Guid.Empty ? null : new ClientRequest(request.ClientId, request.Sequence, request.LowestUnanswered),
                    cancellationToken);
            return (MasterResponseStatus.Ok, KvResultCodec.Encode(result));
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
