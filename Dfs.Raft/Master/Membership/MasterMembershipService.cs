using Dfs.Client.Kv;
using Dfs.Client.Master;
using Dfs.Client.Master.Protocol;
using Dfs.Common.Configuration;
using Dfs.Raft.Consensus.Hosting;
using Microsoft.Extensions.Logging;

namespace Dfs.Raft.Master.Membership;

/// <summary>
/// The operator's membership changes, run on the leader: the group's book of addresses (<see cref="MasterBook"/>) is
/// written through the replicated store before a master is added, so every member can dial it, and without a master
/// before it is removed, so clients stop asking it; the change itself goes through the backend's <see cref="IMasterMembership"/>.
/// </summary>
/// <remarks>One change at a time on this master; a second one meanwhile is refused with <see cref="MasterErrorCode.Conflict"/>.</remarks>
public sealed partial class MasterMembershipService(IMasterMembership membership, IMasterKv kv, MasterAddresses addresses, ClusterConfig config,
    ILogger<MasterMembershipService> logger)
{
    private readonly SemaphoreSlim _changing = new(1, 1);

    /// <summary>The group as this master knows it, with each member's address.</summary>
    public MasterMembers List()
    {
        var group = membership.Group;
        var leader = membership.LeaderId;
        var members = group.Voters.Select(id => (Id: id, Role: "voter")).Concat(group.Learners.Select(id => (Id: id, Role: "learner")))
            .OrderBy(m => m.Id, StringComparer.Ordinal)
            .Select(m => addresses.Find(m.Id) is { } a
                ? new MasterMember(m.Id, m.Role, m.Id == leader, a.Host, a.RaftPort, a.ApiPort, Consensus(a))
                : new MasterMember(m.Id, m.Role, m.Id == leader, null, null, null, null))
            .ToArray();
        return new MasterMembers(leader, members);
    }

    /// <summary>The group as the leader knows it: what operators and clients read.</summary>
    /// <exception cref="NotLeaderException">This master is not the leader.</exception>
    public MasterMembers ListOnLeader()
    {
        LeaderGroupOrThrow();
        return List();
    }

    /// <summary>Adds a master: it must already run (marked joining in its config.json) so it can catch up; it votes once it has.</summary>
    /// <exception cref="NotLeaderException">This master is not the leader.</exception>
    /// <exception cref="MasterException">The request is invalid, conflicts with the group, or the new master did not catch up.</exception>
    public async Task<MasterMembers> AddAsync(AddMasterRequest? request, CancellationToken cancellationToken)
    {
        var master = Validate(request);
        await ExclusiveAsync(async () =>
        {
            var group = LeaderGroupOrThrow();
            if (group.Contains(master.Id))
            {
                throw new MasterException(MasterErrorCode.Conflict, $"{master.Id} is already a member of the group ({Describe(group)}).");
            }
            var book = Book(group).Append(master).ToArray();
            var clash = book.SelectMany(Endpoints).GroupBy(e => (e.Host, e.Port)).FirstOrDefault(g => g.Count() > 1);
            if (clash is not null)
            {
                throw new MasterException(MasterErrorCode.Conflict,
                    $"{clash.Key.Host}:{clash.Key.Port} is already used by {string.Join(" and ", clash.Select(e => e.Owner).Distinct())}.");
            }
            await WriteBookAsync(book, cancellationToken);
            addresses.Learn([master]);
            membership.LearnAddresses(book);
            Log.Adding(logger, master.Id, master.Host, master.RaftPort);
            await membership.AddMemberAsync(master, cancellationToken);
            Log.Added(logger, master.Id, Describe(membership.Group));
        }, cancellationToken);
        return List();
    }

    /// <summary>Removes a master from the group; removing the leader makes it step down once the change commits.</summary>
    /// <exception cref="NotLeaderException">This master is not the leader.</exception>
    /// <exception cref="MasterException">No such member, it is the last voter, or the change was not committed.</exception>
    public async Task<MasterMembers> RemoveAsync(string id, CancellationToken cancellationToken)
    {
        await ExclusiveAsync(async () =>
        {
            var group = LeaderGroupOrThrow();
            if (!group.Contains(id))
            {
                throw new MasterException(MasterErrorCode.NotFound, $"{id} is not a member of the group ({Describe(group)}).");
            }
            if (group.Voters is [var last] && last == id)
            {
                throw new MasterException(MasterErrorCode.InvalidArgument, $"{id} is the group's only voter; add another master first.");
            }
            // Written first: once the leader itself is out it writes nothing more, and a client that stops asking the
            // leaving master early loses nothing while the others answer.
            await WriteBookAsync(Book(group).Where(m => m.Id != id).ToArray(), cancellationToken);
            Log.Removing(logger, id);
            await membership.RemoveMemberAsync(id, cancellationToken);
            Log.Removed(logger, id, Describe(membership.Group));
        }, cancellationToken);
        return List();
    }

    private async Task ExclusiveAsync(Func<Task> change, CancellationToken cancellationToken)
    {
        if (!await _changing.WaitAsync(0, cancellationToken))
        {
            throw new MasterException(MasterErrorCode.Conflict, "Another membership change is in progress on this master; retry once it ends.");
        }
        try
        {
            await change();
        }
        finally
        {
            _changing.Release();
        }
    }

    private MasterGroup LeaderGroupOrThrow()
    {
        var leader = membership.LeaderId;
        if (leader != membership.SelfId)
        {
            throw new NotLeaderException(membership.SelfId, leader);
        }
        return membership.Group;
    }

    // The addresses of the group's members, in member order; a member with no known address is left out.
    private IEnumerable<MasterNodeConfig> Book(MasterGroup group) =>
        group.Voters.Concat(group.Learners).Select(addresses.Find).OfType<MasterNodeConfig>();

    private async Task WriteBookAsync(IReadOnlyList<MasterNodeConfig> book, CancellationToken cancellationToken)
    {
        var result = await kv.ExecuteAsync(KvCommand.Put(MasterBook.Key, MasterBook.Encode(book)), null, cancellationToken);
        if (result.Status != KvStatus.Ok)
        {
            throw new MasterException(MasterErrorCode.Internal, $"The masters' book was not written: {result.Status} {result.Error}");
        }
    }

    private MasterNodeConfig Validate(AddMasterRequest? request)
    {
        if (request is null)
        {
            throw new MasterException(MasterErrorCode.InvalidArgument, "The body must be a JSON object: {\"id\", \"host\", \"raftPort\", \"apiPort\"}.");
        }
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(request.Id) || request.Id.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_'))
        {
            problems.Add($"id must be non-empty ASCII letters, digits, '-' or '_' (is '{request.Id}').");
        }
        if (string.IsNullOrWhiteSpace(request.Host))
        {
            problems.Add("host must be set.");
        }
        foreach (var (name, port) in new[] { ("raftPort", (int?)request.RaftPort), ("apiPort", request.ApiPort), ("consensusPort", request.ConsensusPort) })
        {
            if (port is not null && port is < 1 or > 65535)
            {
                problems.Add($"{name} must be between 1 and 65535 (is {port}).");
            }
        }
        if (problems.Count > 0)
        {
            throw new MasterException(MasterErrorCode.InvalidArgument, string.Join(" ", problems));
        }
        return new MasterNodeConfig
        {
            Id = request.Id!,
            Host = request.Host!,
            RaftPort = request.RaftPort,
            ApiPort = request.ApiPort,
            ConsensusPort = request.ConsensusPort,
        };
    }

    private IEnumerable<(string Owner, string Host, int Port)> Endpoints(MasterNodeConfig m) =>
        new[] { (m.Id, m.Host, m.RaftPort), (m.Id, m.Host, m.ApiPort) }
            .Concat(config.Consensus == ConsensusBackends.DotNext ? [(m.Id, m.Host, m.ConsensusPortOrDefault)] : []);

    private int? Consensus(MasterNodeConfig m) => config.Consensus == ConsensusBackends.DotNext ? m.ConsensusPortOrDefault : null;

    private static string Describe(MasterGroup group) =>
        $"voters {string.Join(",", group.Voters)}" + (group.Learners.Count > 0 ? $"; learners {string.Join(",", group.Learners)}" : "");

    private static partial class Log
    {
        [LoggerMessage(1210, LogLevel.Information, "Adding master {NodeId} ({Host}:{RaftPort}) to the group")]
        public static partial void Adding(ILogger logger, string nodeId, string host, int raftPort);

        [LoggerMessage(1211, LogLevel.Information, "Master {NodeId} joined the group: {Group}")]
        public static partial void Added(ILogger logger, string nodeId, string group);

        [LoggerMessage(1212, LogLevel.Information, "Removing master {NodeId} from the group")]
        public static partial void Removing(ILogger logger, string nodeId);

        [LoggerMessage(1213, LogLevel.Information, "Master {NodeId} left the group: {Group}")]
        public static partial void Removed(ILogger logger, string nodeId, string group);
    }
}
