using Dfs.Client.ChunkServers;
using Dfs.Client.Master;
using Dfs.Client.Master.Protocol;
using Dfs.Client.Metadata;
using Dfs.Common.Configuration;
using Dfs.Gateway.Launcher;

namespace Dfs.Gateway.Cluster;

/// <summary>A master as the gateway sees it: its own Raft status, or unreachable.</summary>
/// <param name="Address">The master's HTTP API (<c>/raft/status</c>, <c>/kv</c>), for operators.</param>
public sealed record MasterView(string Id, string Address, bool Healthy, string? Role, long? Term, long? CommitIndex, string? LeaderId, int? Pid);

/// <summary>A chunk server as the gateway sees it: the leader's view from heartbeats when a leader answers, else the config's entry.</summary>
public sealed record ChunkServerView(string Id, string Address, bool Alive, bool Draining, long? CapacityBytes, long? UsedBytes, long? FreeBytes,
    int? ChunkCount, int? Load, int? Pid);

/// <summary>The whole cluster: masters, chunk servers, the current leader and the replication work.</summary>
public sealed record ClusterView(string? Leader, IReadOnlyList<MasterView> Masters, IReadOnlyList<ChunkServerView> ChunkServers,
    int ReplicationFactor, int UnderReplicatedChunks, int ReplicationsInFlight);

/// <summary>
/// Asks every master for its Raft status over the internal protocol, and the leader for the chunk servers it hears from
/// (falling back to the config's list, with what the launcher knows, when no leader answers).
/// </summary>
public sealed class ClusterStatusService(ClusterConfig config, MasterClient masters, LocalCluster? launched, ILogger<ClusterStatusService> logger,
    Func<IMetadataService>? metadata = null)
{
    /// <summary>How long one master has to answer before it is listed unhealthy.</summary>
    public static readonly TimeSpan MasterTimeout = TimeSpan.FromSeconds(1);

    public async Task<ClusterView> GetAsync(CancellationToken cancellationToken)
    {
        // The masters the client follows: config.json's until the group's book lists others.
        var views = await Task.WhenAll(masters.Masters.Select(m => QueryMasterAsync(m, cancellationToken)));
        var leader = views.FirstOrDefault(m => m.Role == "Leader")?.Id;
        var known = leader is null ? null : await ChunkServersAsync(cancellationToken);
        if (known is not null)
        {
            var servers = known.Servers.Select(c => new ChunkServerView(c.Id, $"{c.Host}:{c.Port}", c.Alive, c.Draining, c.CapacityBytes, c.UsedBytes,
                c.FreeBytes, c.ChunkCount, c.Load, c.Pid > 0 ? c.Pid : LaunchedPid(c.Id))).ToArray();
            return new ClusterView(leader, views, servers, known.ReplicationFactor, known.UnderReplicatedChunks, known.ReplicationsInFlight);
        }
        var chunkServers = config.ChunkServers.Select(c =>
        {
            var child = launched?.ChunkServers.FirstOrDefault(n => n.Id == c.Id);
            return new ChunkServerView(c.Id, $"{c.Host}:{c.Port}", child is not null && !child.HasExited, false, null, null, null, null, null, child?.Pid);
        }).ToArray();
        return new ClusterView(leader, views, chunkServers, config.ReplicationFactor, 0, 0);
    }

    private int? LaunchedPid(string id) => launched?.ChunkServers.FirstOrDefault(n => n.Id == id)?.Pid;

    /// <summary>The leader's view of the chunk servers, or null when it cannot be had (no leader, or no file-system service).</summary>
    private async Task<ChunkServersView?> ChunkServersAsync(CancellationToken cancellationToken)
    {
        if (metadata is null)
        {
            return null;
        }
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(MasterTimeout);
            return await metadata().ChunkServersAsync(timeout.Token);
        }
        catch (Exception e) when (e is IOException or TimeoutException or MasterException or MetadataException or InvalidOperationException or NotSupportedException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            ClusterStatusLog.ChunkServersUnknown(logger, e.Message);
            return null;
        }
    }

    private async Task<MasterView> QueryMasterAsync(MasterNodeConfig master, CancellationToken cancellationToken)
    {
        var address = $"http://{master.Host}:{master.ApiPort}";
        try
        {
            var status = await masters.GetStatusAsync(master.Id, MasterTimeout, cancellationToken);
            return new MasterView(master.Id, address, true, status.Role, status.Term, status.CommitIndex, status.LeaderId, status.Pid);
        }
        catch (Exception e) when (e is IOException or TimeoutException or MasterException)
        {
            ClusterStatusLog.MasterUnreachable(logger, master.Id, e.Message);
            return new MasterView(master.Id, address, false, null, null, null, null, null);
        }
    }
}
