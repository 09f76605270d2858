namespace Dfs.Raft.Consensus.Hosting;

public sealed partial class RaftHost
{
    /// <summary>
    /// Adds <paramref name="nodeId"/> to the group: first as a learner that receives the log without voting,
    /// then, once it has caught up, as a voter. The transport must already know how to reach it.
    /// </summary>
    /// <exception cref="NotLeaderException">This node is not the leader.</exception>
    /// <exception cref="TimeoutException">The learner did not catch up within <see cref="RaftHostOptions.CatchUpTimeout"/>; it stays a learner.</exception>
    public async Task AddMemberAsync(string nodeId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        await RetryWhilePendingAsync(new ConfigurationChange(ConfigurationChangeKind.AddLearner, nodeId), cancellationToken);
        try
        {
            await RetryWhilePendingAsync(new ConfigurationChange(ConfigurationChangeKind.PromoteLearner, nodeId), cancellationToken);
        }
        catch (ProposalRejectedException e) when (e.Reason == ProposeRejection.LearnerNotCaughtUp)
        {
            throw new TimeoutException(
                $"Learner {nodeId} did not catch up with the leader within {_options.CatchUpTimeout.TotalSeconds} s; it stays a learner.", e);
        }
    }

    /// <summary>Removes <paramref name="nodeId"/> (voter or learner) from the group.</summary>
    /// <exception cref="NotLeaderException">This node is not the leader.</exception>
    public Task RemoveMemberAsync(string nodeId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        return RetryWhilePendingAsync(new ConfigurationChange(ConfigurationChangeKind.Remove, nodeId), cancellationToken);
    }

    /// <summary>Proposes <paramref name="change"/> and waits until it is applied, retrying while the core says "not yet".</summary>
    private async Task RetryWhilePendingAsync(ConfigurationChange change, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + _options.CatchUpTimeout;
        while (true)
        {
            var proposal = new PendingProposal(cancellationToken);
            Enqueue(new ProposeEvent(default, proposal, change));
            try
            {
                await proposal.Task;
                return;
            }
            catch (ProposalRejectedException e) when (
                e.Reason is ProposeRejection.ConfigurationChangePending or ProposeRejection.LearnerNotCaughtUp && _time.GetUtcNow() < deadline)
            {
                await Task.Delay(_options.HeartbeatInterval, _time, cancellationToken);
            }
        }
    }
}
