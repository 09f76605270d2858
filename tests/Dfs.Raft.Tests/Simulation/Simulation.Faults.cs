using Dfs.Raft.Consensus;

namespace Dfs.Raft.Tests.Simulation;

/// <summary>The nemesis: crashes, partitions (random halves, isolated leader, one-way links), healing, leadership transfers.</summary>
internal sealed partial class Simulation
{
    private void ScheduleNemesis() =>
        _events.After(100_000 + _random.Next(700_000), () =>
        {
            if (!_faultsOn)
            {
                return;
            }
            Nemesis();
            if (_options.InitialVoters > 0 && _random.Next(5) < 2)
            {
                ChangeMembership();
            }
            ScheduleNemesis();
        });

    private void Nemesis()
    {
        var roll = _random.Next(100);
        if (roll < 4)
        {
            if (_options.Crashes)
            {
                PowerLoss();
            }
        }
        else if (roll < 22)
        {
            if (_options.Crashes)
            {
                var up = _nodes.Where(n => n.Up).ToArray();
                if (up.Length > 0)
                {
                    Crash(up[_random.Next(up.Length)]);
                }
            }
        }
        else if (roll < 37)
        {
            if (_options.Partitions)
            {
                PartitionRandomHalves();
            }
        }
        else if (roll < 50)
        {
            if (_options.Partitions)
            {
                IsolateLeader();
            }
        }
        else if (roll < 60)
        {
            if (_options.Partitions)
            {
                CutOneWay();
            }
        }
        else if (roll < 67)
        {
            TransferLeadership();
        }
        else if (roll < 80 || _options.InitialVoters == 0)
        {
            if (roll < 90)
            {
                HealAll();
            }
        }
        else
        {
            ChangeMembership();
        }
    }

    /// <summary>Power fails across most of the group at once: only what was fsynced survives anywhere.</summary>
    private void PowerLoss()
    {
        Note("power loss");
        foreach (var node in _nodes.Where(n => n.Up && _random.Next(4) != 0))
        {
            Crash(node);
        }
    }

    private void Crash(SimNode node)
    {
        node.Up = false;
        node.Incarnation++;
        node.ForgetVolatileState();
        node.LogStore.Crash(_random);
        node.SnapshotStore.Crash(_random);
        _stats.Crashes++;
        Note($"{node.Id} crashes (store keeps up to {node.LogStore.LastIndex})");
        // Its kernel closes the dead process's sockets, and every peer sees its connection to it end at once
        // (a partition, below, closes nothing: peers only stop hearing).
        var crashed = node.Id;
        foreach (var peer in _nodes.Where(n => n != node && n.Up))
        {
            _events.After(_minDelayUs, () => OnNode(peer, raft => ReportPeerClosed(raft, crashed)));
        }
        var incarnation = node.Incarnation;
        _events.After(50_000 + _random.Next(1_500_000), () =>
        {
            if (!node.Up && node.Incarnation == incarnation)
            {
                Restart(node);
            }
        });
    }

    private void ReportPeerClosed(RaftNode raft, string peer)
    {
        if (raft.Role == RaftRole.Follower && raft.LeaderId == peer)
        {
            _stats.LeaderConnectionsClosed++;
        }
        raft.ReportPeerClosedConnection(peer);
    }

    private void Restart(SimNode node)
    {
        node.Incarnation++;
        Boot(node);
    }

    private void PartitionRandomHalves()
    {
        HealAll();
        var order = _nodes.Select(n => n.Index).OrderBy(_ => _random.Next()).ToArray();
        var split = 1 + _random.Next(_nodes.Length - 1);
        var side = new bool[_nodes.Length];
        foreach (var i in order.Take(split))
        {
            side[i] = true;
        }
        for (var a = 0; a < _nodes.Length; a++)
        {
            for (var b = 0; b < _nodes.Length; b++)
            {
                if (side[a] != side[b])
                {
                    Cut(a, b);
                }
            }
        }
        _stats.Partitions++;
        Note($"partition [{string.Join(",", order.Take(split).Select(i => _nodes[i].Id))}] | [{string.Join(",", order.Skip(split).Select(i => _nodes[i].Id))}]");
    }

    private void IsolateLeader()
    {
        var leader = _nodes.FirstOrDefault(n => n.Up && n.Raft!.Role == RaftRole.Leader);
        if (leader is null)
        {
            return;
        }
        foreach (var other in _nodes.Where(n => n != leader))
        {
            Cut(leader.Index, other.Index);
            Cut(other.Index, leader.Index);
        }
        _stats.Partitions++;
        Note($"leader {leader.Id} isolated");
    }

    private void CutOneWay()
    {
        var from = _random.Next(_nodes.Length);
        var to = (from + 1 + _random.Next(_nodes.Length - 1)) % _nodes.Length;
        Cut(from, to);
        _stats.Partitions++;
        Note($"link {_nodes[from].Id} -> {_nodes[to].Id} cut");
    }

    /// <summary>One single-server change through the leader: add a spare as learner, promote a learner, or remove a member.</summary>
    private void ChangeMembership()
    {
        var leader = _nodes.FirstOrDefault(n => n.Up && n.Raft!.Role == RaftRole.Leader);
        if (leader is null)
        {
            return;
        }
        var configuration = leader.Raft!.Configuration;
        var choices = new List<ConfigurationChange>();
        choices.AddRange(_nodes.Where(n => !configuration.IsMember(n.Id)).Select(n => new ConfigurationChange(ConfigurationChangeKind.AddLearner, n.Id)));
        choices.AddRange(configuration.Learners.Select(id => new ConfigurationChange(ConfigurationChangeKind.PromoteLearner, id)));
        choices.AddRange(configuration.Learners.Select(id => new ConfigurationChange(ConfigurationChangeKind.Remove, id)));
        if (configuration.Voters.Count > 3)
        {
            choices.AddRange(configuration.Voters.Select(id => new ConfigurationChange(ConfigurationChangeKind.Remove, id)));
        }
        if (choices.Count == 0)
        {
            return;
        }
        var change = choices[_random.Next(choices.Count)];
        OnNode(leader, raft =>
        {
            var result = raft.ProposeConfigurationChange(change);
            if (result.Accepted)
            {
                _stats.MembershipChanges++;
            }
            Note($"{leader.Id} proposes {change.Kind} {change.NodeId} to [{configuration}]: {(result.Accepted ? $"at {result.Index}" : result.Rejection.ToString())}");
        });
    }

    private void TransferLeadership()
    {
        var leader = _nodes.FirstOrDefault(n => n.Up && n.Raft!.Role == RaftRole.Leader);
        if (leader is null)
        {
            return;
        }
        var target = _nodes[(leader.Index + 1 + _random.Next(_nodes.Length - 1)) % _nodes.Length];
        OnNode(leader, raft =>
        {
            if (raft.TransferLeadership(target.Id))
            {
                _stats.Transfers++;
                Note($"{leader.Id} hands leadership to {target.Id}");
            }
        });
    }
}
