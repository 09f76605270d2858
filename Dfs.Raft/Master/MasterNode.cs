using System.Net;
using Dfs.Common.Configuration;
using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Hosting;
using Dfs.Raft.Consensus.Sessions;
using Dfs.Raft.Consensus.Storage;
using Dfs.Raft.Consensus.Transport;
using Dfs.Raft.Kv;
using Dfs.Raft.Master.Protocol;

namespace Dfs.Raft.Master;

/// <summary>
/// One master: the replicated key-value store (under the exactly-once session layer) driven by a Raft
/// host with a durable log in <c>{dataDir}/{id}</c> and a TCP transport to the other masters.
/// </summary>
public sealed class MasterNode : IMasterKv, IAsyncDisposable
{
    private readonly TimeProvider _time;

    public MasterNode(ClusterConfig config, string id, TimeProvider time, ILoggerFactory loggers)
    {
        _time = time;
        var self = config.Master(id);
        DataDirectory = config.DataDirectoryFor(id);
        Directory.CreateDirectory(DataDirectory);
        var logStore = new FileRaftLogStore(Path.Combine(DataDirectory, "raft-log"), logger: loggers.CreateLogger<FileRaftLogStore>());
        var snapshots = new FileSnapshotStore(DataDirectory, loggers.CreateLogger<FileSnapshotStore>());
        Store = new KvStateMachine();
        Transport = new TcpRaftTransport(new TcpRaftTransportOptions
        {
            NodeId = id,
            Peers = config.Masters.Where(m => m.Id != id).ToDictionary(m => m.Id, m => new DnsEndPoint(m.Host, m.RaftPort)),
            SnapshotDirectory = Path.Combine(DataDirectory, "incoming-snapshots"),
        }, time, loggers.CreateLogger<TcpRaftTransport>());
        Host = new RaftHost(new RaftHostOptions
        {
            NodeId = id,
            Members = config.Masters.Select(m => m.Id).ToArray(),
            ElectionTimeout = TimeSpan.FromMilliseconds(config.ElectionTimeoutMs),
            HeartbeatInterval = TimeSpan.FromMilliseconds(config.HeartbeatIntervalMs),
            // As etcd's default snapshot count: a snapshot rewrites the whole store, and its disk writes compete
            // with the log's fsyncs, so it is taken rarely; the log in between costs a few tens of MB.
            SnapshotThreshold = 100_000,
        }, logStore, snapshots, new SessionStateMachine(Store), Transport, time, loggers.CreateLogger<RaftHost>());
        RequestHandler = new MasterRequestHandler(this);
        Address = self;
    }

    public MasterNodeConfig Address { get; }

    public string DataDirectory { get; }

    /// <summary>The replicated store; read it only through <see cref="ReadAsync"/> for linearizable answers.</summary>
    public KvStateMachine Store { get; }

    public RaftHost Host { get; }

    public TcpRaftTransport Transport { get; }

    public MasterRequestHandler RequestHandler { get; }

    public MasterStatus Status
    {
        get
        {
            var s = Host.Status;
            return new MasterStatus(s.Id, s.Role.ToString(), s.Term, s.LeaderId, s.CommitIndex, s.AppliedIndex, s.LastLogIndex,
                s.SnapshotIndex, s.Members.Voters.Concat(s.Members.Learners).ToArray(), Environment.ProcessId);
        }
    }

    public long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public Task StartAsync(CancellationToken cancellationToken) => Host.StartAsync(cancellationToken);

    /// <summary>Stops gracefully: a leader hands leadership to the most up-to-date follower first.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => Host.StopAsync(cancellationToken);

    public async Task<KvResult> ExecuteAsync(KvCommand command, ClientRequest? request, CancellationToken cancellationToken)
    {
        // Time in the log is the leader's clock at proposal, whatever the client sent.
        var now = NowMs;
        var body = KvCommandCodec.Encode(command with { NowMs = now });
        // Without a client session the command is one-shot (Guid.Empty): applied as it comes, never deduplicated.
        var (session, sequence, lowest) = request is { } r ? (r.ClientId, r.Sequence, r.LowestUnanswered) : (Guid.Empty, 1L, 1L);
        var encoded = new CommandEnvelope(session, sequence, lowest, now, body).Encode();
        var result = SessionResult.Decode(await Host.ProposeAsync(encoded, cancellationToken));
        return result.Kind switch
        {
            SessionResultKind.Applied or SessionResultKind.Duplicate => KvResultCodec.Decode(result.Body),
            SessionResultKind.ResponseDiscarded => throw new ResponseDiscardedException(
                $"Sequence {sequence} of client {session} was applied earlier and its response is no longer kept."),
            SessionResultKind.SessionExpired => throw new ResponseDiscardedException(
                $"The session of client {session} expired; start a new session (a new client id) and send the command again."),
            SessionResultKind.OutsideWindow => throw new InvalidDataException(
                $"Client {session} has more than {new Dfs.Raft.Consensus.Sessions.SessionOptions().MaxResponsesPerClient} commands unacknowledged; acknowledge answered ones first."),
            _ => throw new InvalidDataException($"The command was refused: {result.Reason}"),
        };
    }

    public Task<T> ReadAsync<T>(Func<KvStateMachine, T> read, bool linearizable, CancellationToken cancellationToken) =>
        linearizable ? Host.ReadAsync(() => read(Store), cancellationToken) : Task.FromResult(read(Store));

    public async ValueTask DisposeAsync()
    {
        // The host disposes the log store it was given.
        await Host.DisposeAsync();
        await Transport.DisposeAsync();
        Store.Dispose();
    }
}
