using Dfs.Client.Kv;
using Dfs.Client.Master.Protocol;
using Dfs.Raft.Consensus.Hosting;
using Dfs.Raft.Consensus.Sessions;
using Dfs.Raft.Consensus.Transport;
using Dfs.Raft.Kv;
using Dfs.Raft.Master.Membership;

namespace Dfs.Raft.Master;

/// <summary>
/// One master's key-value store as its APIs use it: commands go through the Raft host (wrapped for the
/// exactly-once session layer), reads through ReadIndex. The host, its log, snapshots and transport are
/// composed by <see cref="MasterRaftServiceCollectionExtensions.AddMasterRaft"/>.
/// </summary>
public sealed partial class MasterNode(RaftHost host, TcpRaftTransport transport, KvStateMachine store, TimeProvider time)
    : IMasterKv, IMasterLeadership, IMasterMembership
{
    /// <inheritdoc />
    public event EventHandler<LeaderChangedEventArgs>? LeaderChanged
    {
        add => host.LeaderChanged += value;
        remove => host.LeaderChanged -= value;
    }

    public MasterStatus Status
    {
        get
        {
            var s = host.Status;
            return new MasterStatus(s.Id, s.Role.ToString(), s.Term, s.LeaderId, s.CommitIndex, s.AppliedIndex, s.LastLogIndex,
                s.SnapshotIndex, s.Members.Voters.Concat(s.Members.Learners).ToArray(), Environment.ProcessId)
            {
                LaggingFollowers = s.LaggingFollowers,
            };
        }
    }

    public Task<ReadOnlyMemory<byte>> ExecuteAsync(ReadOnlyMemory<byte> command, ClientRequest? request, CancellationToken cancellationToken)
    {
        // Decoded only to refuse a bad command before it reaches the log; the log holds the bytes as they came.
        KvCommandCodec.DecodeValidated(command);
        return ProposeAsync(command, request, cancellationToken);
    }

    public async Task<KvResult> ExecuteAsync(KvCommand command, ClientRequest? request, CancellationToken cancellationToken) =>
        KvResultCodec.Decode(await ProposeAsync(KvCommandCodec.Encode(command), request, cancellationToken));

    public Task<T> ReadAsync<T>(Func<KvStateMachine, T> read, bool linearizable, CancellationToken cancellationToken) =>
        linearizable ? host.ReadAsync(() => read(store), cancellationToken) : Task.FromResult(read(store));

    // Proposes an encoded command that has been validated; answers the encoded result the store produced.
    private async Task<ReadOnlyMemory<byte>> ProposeAsync(ReadOnlyMemory<byte> body, ClientRequest? request, CancellationToken cancellationToken)
    {
        // Without a client session the command is one-shot (Guid.Empty): applied as it comes, never deduplicated.
        var (session, sequence, lowest) = request is { } r ? (r.ClientId, r.Sequence, r.LowestUnanswered) : (Guid.Empty, 1L, 1L);
        // The entry's only time is the leader's clock at proposal; every replica applies the command at that time.
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var encoded = new CommandEnvelope(session, sequence, lowest, now, body).Encode();
        var result = SessionResult.Decode(await host.ProposeAsync(encoded, cancellationToken));
        return SessionAnswers.BodyOrThrow(result, session, sequence);
    }
}
