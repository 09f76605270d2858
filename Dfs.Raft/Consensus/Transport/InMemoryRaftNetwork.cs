using System.Collections.Concurrent;
using Dfs.Raft.Consensus.Messages;

namespace Dfs.Raft.Consensus.Transport;

/// <summary>
/// An in-process network for tests of the layers above the transport: every node's
/// <see cref="InMemoryRaftTransport"/> delivers straight into the addressee's handler, and links can be cut and healed.
/// </summary>
/// <remarks>Thread-safe. A message over a cut link, or to a node not attached, is dropped and reported unreachable.</remarks>
public sealed class InMemoryRaftNetwork
{
    private readonly ConcurrentDictionary<string, InMemoryRaftTransport> _nodes = new();
    private readonly ConcurrentDictionary<(string, string), bool> _cut = new();

    /// <summary>Creates the transport of node <paramref name="id"/>; it is reachable once started.</summary>
    public InMemoryRaftTransport CreateTransport(string id) => new(this, id);

    /// <summary>Stops traffic in both directions between <paramref name="a"/> and <paramref name="b"/>.</summary>
    public void Cut(string a, string b)
    {
        _cut[(a, b)] = true;
        _cut[(b, a)] = true;
    }

    /// <summary>Restores traffic between <paramref name="a"/> and <paramref name="b"/>.</summary>
    public void Heal(string a, string b)
    {
        _cut.TryRemove((a, b), out _);
        _cut.TryRemove((b, a), out _);
    }

    /// <summary>Cuts <paramref name="id"/> off from every other node.</summary>
    public void Isolate(string id)
    {
        foreach (var other in _nodes.Keys)
        {
            if (other != id)
            {
                Cut(id, other);
            }
        }
    }

    /// <summary>Restores every link.</summary>
    public void HealAll() => _cut.Clear();

    /// <summary>Loses the messages this returns true for, silently (as a lossy link would); null loses none.</summary>
    public Func<RaftMessage, bool>? Lose { get; set; }

    internal void Attach(InMemoryRaftTransport transport) => _nodes[transport.Id] = transport;

    internal void Detach(InMemoryRaftTransport transport) => _nodes.TryRemove(new KeyValuePair<string, InMemoryRaftTransport>(transport.Id, transport));

    internal bool TryDeliver(RaftMessage message)
    {
        if (_cut.ContainsKey((message.From, message.To)) || !_nodes.TryGetValue(message.To, out var target))
        {
            return false;
        }
        if (Lose is { } lose && lose(message))
        {
            return true;
        }
        if (message is InstallSnapshot { Payload: { } payload } snapshot)
        {
            // The receiver owns what it is given, as over TCP: never hand it the sender's own snapshot file.
            using var source = payload.OpenRead();
            using var copy = new MemoryStream();
            source.CopyTo(copy);
            message = snapshot with { Payload = new MemorySnapshotPayload(copy.GetBuffer().AsMemory(0, (int)copy.Length)) };
        }
        return target.Receive(message);
    }
}
