using Dfs.Raft.Consensus.Messages;

namespace Dfs.Raft.Tests.Simulation;

/// <summary>The simulated network: random delay (so reordering), drops, duplicates, and directed link cuts.</summary>
internal sealed partial class Simulation
{
    // Directed links (from node index, to node index) that deliver nothing.
    private readonly HashSet<(int From, int To)> _blocked = [];

    private void Send(SimNode from, RaftMessage message)
    {
        if (!_nodeById.TryGetValue(message.To, out var to))
        {
            _checker.Report(InvariantChecker.HostContract, $"{from.Id} sends {message.GetType().Name} to unknown member {message.To}");
            return;
        }
        if (message is InstallSnapshot { Payload: null } install)
        {
            // The host attaches the bytes of the snapshot the core names.
            var latest = from.SnapshotStore.Latest;
            if (latest is not { } snapshot || snapshot.Metadata.Index != install.Metadata.Index || snapshot.Metadata.Term != install.Metadata.Term)
            {
                _checker.Report(InvariantChecker.HostContract,
                    $"{from.Id} asks to send snapshot {install.Metadata.Index}@t{install.Metadata.Term} but its store holds {latest?.Metadata.Index.ToString() ?? "none"}");
                return;
            }
            message = install with { Payload = snapshot.Payload };
            _stats.SnapshotsSent++;
        }
        _stats.MessagesSent++;
        var type = message.GetType().Name;
        _stats.MessagesByType[type] = _stats.MessagesByType.GetValueOrDefault(type) + 1;
        if (_blocked.Contains((from.Index, to.Index)))
        {
            _stats.MessagesDropped++;
            // A real transport notices a dead connection now and then, and may take it for a closed one although the peer
            // lives on: a false alarm the leader-loss path must survive without deposing a leader that others still hear.
            if (_random.Next(8) == 0)
            {
                var peer = to.Id;
                _events.After(_minDelayUs, () => OnNode(from, raft =>
                {
                    raft.ReportUnreachable(peer);
                    ReportPeerClosed(raft, peer);
                }));
            }
            return;
        }
        if (_traceMessages)
        {
            var text = Describe(message);
            Transmit(() =>
            {
                Note($"deliver {text}");
                OnNode(to, raft => raft.Step(message));
            });
            return;
        }
        Transmit(() => OnNode(to, raft => raft.Step(message)));
    }

    private static string Describe(RaftMessage message) => message switch
    {
        AppendEntries a => $"{a.From}->{a.To} AppendEntries t{a.Term} prev {a.PrevLogIndex}@t{a.PrevLogTerm} entries {a.Entries.Count}" +
            (a.Entries.Count > 0 ? $" ({a.Entries[0].Index}..{a.Entries[^1].Index})" : "") + $" commit {a.LeaderCommit}",
        InstallSnapshot i => $"{i.From}->{i.To} InstallSnapshot t{i.Term} {i.Metadata.Index}@t{i.Metadata.Term}",
        _ => message.ToString(),
    };

    private void SendToClient(SimClient client, ClientReply reply) => Transmit(() => OnClientReply(client, reply));

    /// <summary>Delivers after a random delay, unless dropped; sometimes twice.</summary>
    private void Transmit(Action deliver)
    {
        if (_faultsOn && _random.NextDouble() < _dropProbability)
        {
            _stats.MessagesDropped++;
            return;
        }
        _events.After(Delay(), deliver);
        if (_faultsOn && _random.NextDouble() < _duplicateProbability)
        {
            _events.After(Delay(), deliver);
        }
    }

    private long Delay()
    {
        var delay = _minDelayUs + _random.NextInt64(_maxDelayUs - _minDelayUs + 1);
        // A long tail: now and then a message arrives after several election timeouts, from an old term.
        if (_faultsOn && _random.Next(200) == 0)
        {
            delay += _random.NextInt64(100_000, 1_000_000);
        }
        return delay;
    }

    private void HealAll()
    {
        if (_blocked.Count > 0)
        {
            _blocked.Clear();
            Note("network healed");
        }
    }

    private void Cut(int from, int to) => _blocked.Add((from, to));
}
