namespace Dfs.Bench.Load;

/// <summary>A three-member key-value cluster the load generator can start, find the leader of, kill and restart.</summary>
public interface IKvCluster : IAsyncDisposable
{
    string Name { get; }

    IReadOnlyList<Endpoint> Endpoints { get; }

    /// <summary>A protocol instance for one worker (instances keep per-worker scratch buffers).</summary>
    KvProtocol NewProtocol();

    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Waits until every member answers and one is leader; returns the leader's member index.</summary>
    Task<int> WaitForLeaderAsync(TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>
    /// Waits until every member's log holds what the leader had committed when the wait began: a member just restarted has
    /// caught up, so the next failover is measured from a steady group, not one still repairing the last.
    /// </summary>
    Task WaitForCaughtUpAsync(TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>SIGKILLs the member with the given index by its process id.</summary>
    void Kill(int member);

    Task RestartAsync(int member, CancellationToken cancellationToken);

    /// <summary>Resident memory of each member's process, in bytes.</summary>
    IReadOnlyList<long> ResidentBytes();
}
