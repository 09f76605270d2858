namespace Dfs.Raft.Consensus;

public sealed partial class RaftNode
{
    /// <summary>
    /// Leader: the followers that answer but have stayed behind the commit index for
    /// <see cref="RaftOptions.LaggingTicks"/> ticks or more. Empty on other roles and when every follower keeps up.
    /// </summary>
    /// <remarks>
    /// A follower in this list halves the group's fault tolerance without any error showing: the host logs it
    /// and reports it in its status so an operator sees it.
    /// </remarks>
    public IReadOnlyList<FollowerLag> LaggingFollowers()
    {
        if (_role != RaftRole.Leader)
        {
            return [];
        }
        List<FollowerLag>? lagging = null;
        foreach (var (peer, progress) in _progress)
        {
            if (progress.TicksBehind >= _options.LaggingTicks)
            {
                (lagging ??= []).Add(new FollowerLag(peer, progress.Match, progress.Next, progress.State.ToString(),
                    progress.CatchUpTarget, progress.TicksBehind));
            }
        }
        return lagging is null ? [] : lagging;
    }
}

/// <summary>A follower that has stayed behind the leader's commit index while answering it.</summary>
/// <param name="Id">The follower.</param>
/// <param name="Match">The highest index the leader knows it holds.</param>
/// <param name="Next">The next index the leader will send it.</param>
/// <param name="State">How the leader replicates to it: Probe, Replicate or Snapshot.</param>
/// <param name="Target">The commit index it has not reached yet.</param>
/// <param name="TicksBehind">Ticks it has been behind <paramref name="Target"/>.</param>
public sealed record FollowerLag(string Id, long Match, long Next, string State, long Target, int TicksBehind);
