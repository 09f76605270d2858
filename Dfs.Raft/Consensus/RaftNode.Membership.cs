namespace Dfs.Raft.Consensus;

public sealed partial class RaftNode
{
    /// <summary>A learner is promotable once its match index is within this many entries of the leader's last index.</summary>
    public const long PromotionMaxLag = 16;

    // Leader: index of the latest configuration entry it may not yet have committed.
    private long _pendingConfigurationIndex;

    // Leader: its own removal committed; step down after announcing the commit.
    private bool _stepDownPending;

    /// <summary>
    /// Proposes one membership change (thesis §4.1): refused while an earlier change is uncommitted or before
    /// the leader committed an entry of its own term; a learner is promoted only once caught up.
    /// </summary>
    public ProposeResult ProposeConfigurationChange(ConfigurationChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (_role != RaftRole.Leader)
        {
            return ProposeResult.Refused(ProposeRejection.NotLeader, _leaderId);
        }
        if (_leadTransferee is not null)
        {
            return ProposeResult.Refused(ProposeRejection.TransferInProgress, _leaderId);
        }
        if (_pendingConfigurationIndex > _commit || _configurationIndex > _commit || !CommittedInCurrentTerm)
        {
            return ProposeResult.Refused(ProposeRejection.ConfigurationChangePending, _leaderId);
        }

        var voters = _configuration.Voters.ToList();
        var learners = _configuration.Learners.ToList();
        var id = change.NodeId;
        switch (change.Kind)
        {
            case ConfigurationChangeKind.AddLearner when !string.IsNullOrEmpty(id) && !_configuration.IsMember(id):
                learners.Add(id);
                break;
            case ConfigurationChangeKind.PromoteLearner when learners.Contains(id):
                if (!_progress.TryGetValue(id, out var progress) || progress.Match + PromotionMaxLag < _log.LastIndex)
                {
                    return ProposeResult.Refused(ProposeRejection.LearnerNotCaughtUp, _leaderId);
                }
                learners.Remove(id);
                voters.Add(id);
                break;
            case ConfigurationChangeKind.Remove when learners.Contains(id):
                learners.Remove(id);
                break;
            case ConfigurationChangeKind.Remove when voters.Contains(id) && voters.Count > 1:
                voters.Remove(id);
                break;
            default:
                return ProposeResult.Refused(ProposeRejection.InvalidConfigurationChange, _leaderId);
        }

        var entry = new LogEntry(_term, _log.LastIndex + 1, EntryKind.Configuration,
            new ClusterConfiguration(voters, learners).Encode());
        AppendToLog(entry);
        _pendingConfigurationIndex = entry.Index;
        _uncommittedBytes += entry.Size;
        _replicationPending = true;
        return ProposeResult.Ok(entry.Index, entry.Term);
    }

    /// <summary>The configuration in force changed (appended or truncated away): the leader tracks exactly its members.</summary>
    private void OnConfigurationChanged()
    {
        if (_role != RaftRole.Leader)
        {
            return;
        }
        foreach (var peer in _configuration.PeersOf(Id))
        {
            if (!_progress.ContainsKey(peer))
            {
                _progress[peer] = new FollowerProgress(_log.LastIndex + 1, _options.MaxInflightMessages);
                _replicationPending = true;
            }
        }
        foreach (var peer in _progress.Keys.ToList())
        {
            if (!_configuration.IsMember(peer))
            {
                _progress.Remove(peer);
            }
        }
        if (_leadTransferee is not null && !_configuration.IsVoter(_leadTransferee))
        {
            _leadTransferee = null;
        }
        // A smaller group may already have a quorum for pending entries and reads.
        MaybeCommit();
        ReleaseReads();
    }
}
