using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Sessions;

namespace Dfs.Raft.Tests.Simulation;

/// <summary>
/// Clients: writes carry (client id, sequence number) and are retried with the same ones until answered,
/// against whichever node seems to lead; reads go through ReadIndex.
/// </summary>
internal sealed partial class Simulation
{
    private const long AttemptTimeoutUs = 300_000;

    // With short sessions a client gives up a command after this long: a stale copy of it still in the
    // network must reach the group well within the idle timeout, or an expired session could apply it again.
    private const long GiveUpUs = 600_000;
    private static readonly string[] Keys = ["a", "b", "c"];

    private void StartNextOperation(SimClient client)
    {
        if (client.Current is not null || (!client.Active && client != _probe) || (client == _probe && client.OperationCount > 0))
        {
            return;
        }
        var opNo = ++client.OperationCount;
        var key = Keys[_random.Next(Keys.Length)];
        ClientOperation operation;
        if (client != _probe && _random.Next(5) == 0)
        {
            operation = new ClientOperation
            {
                OpNo = opNo,
                IsRead = true,
                Key = key,
                StartUs = _events.Now,
                RequiredLength = _checker.RequiredReadLength(key),
            };
        }
        else
        {
            var sequence = client.NextSequence++;
            var token = $"{client.Name}.{client.SessionNumber}.{sequence}";
            operation = new ClientOperation
            {
                OpNo = opNo,
                IsRead = false,
                SessionId = client.Id,
                StartUs = _events.Now,
                Key = key,
                Sequence = sequence,
                Token = token,
                Body = KeyAppendStateMachine.EncodeAppend(key, token),
            };
            _checker.ObserveWriteInvoked(token);
        }
        client.Current = operation;
        SendAttempt(client);
    }

    private void SendAttempt(SimClient client)
    {
        var operation = client.Current!;
        if (_shortSessions && _events.Now - operation.StartUs > GiveUpUs && client != _probe)
        {
            // Its outcome stays unknown; the session is left to expire.
            _stats.OperationsAbandoned++;
            Note($"{client.Name} abandons {(operation.IsRead ? "a read" : operation.Token)}");
            client.Current = null;
            if (!operation.IsRead)
            {
                NewSession(client);
            }
            ScheduleNextOperation(client);
            return;
        }
        var attempt = ++operation.Attempt;
        var node = _nodes[client.Target];
        _trace.Mix(-2, client.Index, operation.OpNo, attempt);
        if (operation.IsRead)
        {
            Transmit(() => OnNode(node, raft => HandleRead(node, raft, client, operation.OpNo, attempt, operation.Key)));
        }
        else
        {
            var lowest = client.LowestUnanswered;
            Transmit(() => OnNode(node, raft => HandleWrite(node, raft, client, operation, attempt, lowest)));
        }
        _events.After(AttemptTimeoutUs, () =>
        {
            if (client.Current == operation && operation.Attempt == attempt)
            {
                // No answer: the command may or may not have been applied; retry it elsewhere, same sequence number.
                client.Target = (client.Target + 1 + _random.Next(_nodes.Length - 1)) % _nodes.Length;
                SendAttempt(client);
            }
        });
    }

    private void HandleWrite(SimNode node, RaftNode raft, SimClient client, ClientOperation operation, int attempt, long lowest)
    {
        var envelope = new CommandEnvelope(operation.SessionId, operation.Sequence, lowest, node.WallClockMs(_events.Now), operation.Body);
        var result = raft.Propose(envelope.Encode());
        if (!result.Accepted)
        {
            var rejection = $"{node.Id} {result.Rejection}";
            _stats.ProposalsRefused[rejection] = _stats.ProposalsRefused.GetValueOrDefault(rejection) + 1;
            var kind = result.Rejection == ProposeRejection.NotLeader ? ReplyKind.NotLeader : ReplyKind.Failed;
            SendToClient(client, new ClientReply(operation.OpNo, attempt, kind, result.LeaderHint ?? raft.LeaderId, null, null));
            return;
        }
        if (node.PendingWrites.Remove(result.Index, out var replaced))
        {
            SendToClient(replaced.Client, new ClientReply(replaced.OpNo, replaced.Attempt, ReplyKind.Failed, null, null, null));
        }
        node.PendingWrites.Add(result.Index, new PendingWrite(client, operation.OpNo, attempt, result.Term));
    }

    private void HandleRead(SimNode node, RaftNode raft, SimClient client, long opNo, int attempt, string key)
    {
        var requestId = ++node.NextReadId;
        if (!raft.RequestRead(requestId))
        {
            SendToClient(client, new ClientReply(opNo, attempt, ReplyKind.NotLeader, raft.LeaderId, null, null));
            return;
        }
        node.PendingReads.Add(requestId, new PendingRead(client, opNo, attempt, key));
    }

    private void OnClientReply(SimClient client, ClientReply reply)
    {
        var operation = client.Current;
        if (operation is null || operation.OpNo != reply.OpNo)
        {
            return;
        }
        if (reply.Kind == ReplyKind.Ok)
        {
            // An answer to any attempt of the current operation is an answer to it.
            if (operation.IsRead)
            {
                _checker.ObserveReadCompleted(operation.Key, reply.List!, operation.RequiredLength);
            }
            else
            {
                var result = reply.Result!.Value;
                if (result.Kind == SessionResultKind.SessionExpired && _shortSessions && client != _probe)
                {
                    // Expected after a pause longer than the idle timeout: nothing was applied; start over.
                    _stats.SessionsExpired++;
                    Note($"{client.Name} session expired at {operation.Token}");
                    client.Current = null;
                    NewSession(client);
                    ScheduleNextOperation(client);
                    return;
                }
                if (!result.HasResponse)
                {
                    _checker.Report(InvariantChecker.ExactlyOnce,
                        $"{client.Name} write {operation.Token} (attempt {reply.Attempt}) answered {result} although its session is live and it never acknowledged it");
                    return;
                }
                if (result.Kind == SessionResultKind.Duplicate)
                {
                    _stats.DuplicateAnswers++;
                }
                var length = BitConverter.ToInt64(result.Body.Span);
                _checker.ObserveWriteAcknowledged(operation.Key, operation.Token, length);
                client.LowestUnanswered = operation.Sequence + 1;
                client.Acknowledged++;
                if (client == _probe)
                {
                    _probeAcknowledged = true;
                    Note($"probe write acknowledged at length {length}");
                }
            }
            client.Current = null;
            ScheduleNextOperation(client);
            return;
        }
        if (reply.Attempt != operation.Attempt)
        {
            return;
        }
        // Refused: usually go where the node points, else to another node after a pause. Never only follow
        // hints: a removed member keeps naming a leader it will never hear from again, and two such nodes
        // can point at each other.
        if (reply.LeaderHint is { } hint && _nodeById.TryGetValue(hint, out var leader) && leader.Index != client.Target && _random.Next(4) != 0)
        {
            client.Target = leader.Index;
            _events.After(1_000, () => RetryIfCurrent(client, operation, reply.Attempt));
        }
        else
        {
            if (reply.Kind == ReplyKind.NotLeader)
            {
                client.Target = (client.Target + 1 + _random.Next(_nodes.Length - 1)) % _nodes.Length;
            }
            _events.After(20_000 + _random.Next(30_000), () => RetryIfCurrent(client, operation, reply.Attempt));
        }
    }

    private void ScheduleNextOperation(SimClient client)
    {
        long pause = _random.Next(20_000);
        if (_shortSessions && _random.Next(15) == 0)
        {
            // Idle past the session timeout.
            pause += (_sessionOptions.IdleTimeoutMs + 200) * 1000 + _random.Next(1_000_000);
        }
        _events.After(pause, () => StartNextOperation(client));
    }

    private void NewSession(SimClient client)
    {
        client.Id = NewGuid();
        client.SessionNumber++;
        client.NextSequence = 1;
        client.LowestUnanswered = 1;
    }

    private void RetryIfCurrent(SimClient client, ClientOperation operation, int attempt)
    {
        if (client.Current == operation && operation.Attempt == attempt)
        {
            SendAttempt(client);
        }
    }
}
