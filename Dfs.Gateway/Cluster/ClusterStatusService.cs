using Dfs.Client.Master;
using Dfs.Client.Master.Protocol;
using Dfs.Common.Configuration;
using Dfs.Gateway.Launcher;

namespace Dfs.Gateway.Cluster;

/// <summary>A master as the gateway sees it: its own Raft status, or unreachable.</summary>
/// <param name="Address">The master's HTTP API (<c>/raft/status</c>, <c>/kv</c>), for operators.</param>
public sealed record MasterView(string Id, string Address, bool Healthy, string? Role, long? Term, long? CommitIndex, string? LeaderId, int? Pid);

/// <summary>A chunk server as the gateway sees it.</summary>
public sealed record ChunkServerView(string Id, string Address, bool Alive, int? Pid);

/// <summary>The whole cluster: masters, chunk servers and the current leader.</summary>
public sealed record ClusterView(string? Leader, IReadOnlyList<MasterView> Masters, IReadOnlyList<ChunkServerView> ChunkServers);

/// <summary>
/// Asks every master for its Raft status over the internal protocol and reports what the launcher knows of chunk
/// servers.
/// </summary>
public sealed class ClusterStatusService(ClusterConfig config, MasterClient masters, LocalCluster? launched, ILogger<ClusterStatusService> logger)
{
    /// <summary>How long one master has to answer before it is listed unhealthy.</summary>
    public static readonly TimeSpan MasterTimeout = TimeSpan.FromSeconds(1);

    public async Task<ClusterView> GetAsync(CancellationToken cancellationToken)
    {
        var views = await Task.WhenAll(config.Masters.Select(m => QueryMasterAsync(m, cancellationToken)));
        var leader = views.FirstOrDefault(m => m.Role == "Leader")?.Id;
        var chunkServers = config.ChunkServers.Select(c =>
        {
            var child = launched?.ChunkServers.FirstOrDefault(n => n.Id == c.Id);
            return new ChunkServerView(c.Id, $"{c.Host}:{c.Port}", child is not null && !child.HasExited, child?.Pid);
        }).ToArray();
        return new ClusterView(leader, views, chunkServers);
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
