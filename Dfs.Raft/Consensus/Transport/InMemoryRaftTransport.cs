using Dfs.Raft.Consensus.Messages;

namespace Dfs.Raft.Consensus.Transport;

/// <summary>One node's end of an <see cref="InMemoryRaftNetwork"/>.</summary>
public sealed class InMemoryRaftTransport : IRaftTransport
{
    private readonly InMemoryRaftNetwork _network;
    private Action<RaftMessage>? _onMessage;
    private Action<string>? _onUnreachable;

    internal InMemoryRaftTransport(InMemoryRaftNetwork network, string id)
    {
        _network = network;
        Id = id;
    }

    public string Id { get; }

    /// <inheritdoc />
    public void Start(Action<RaftMessage> onMessage, Action<string> onUnreachable)
    {
        _onMessage = onMessage;
        _onUnreachable = onUnreachable;
        _network.Attach(this);
    }

    /// <inheritdoc />
    public void Send(RaftMessage message)
    {
        if (!_network.TryDeliver(message))
        {
            _onUnreachable?.Invoke(message.To);
        }
    }

    internal bool Receive(RaftMessage message)
    {
        var handler = _onMessage;
        if (handler is null)
        {
            return false;
        }
        handler(message);
        return true;
    }

    public ValueTask DisposeAsync()
    {
        _network.Detach(this);
        _onMessage = null;
        _onUnreachable = null;
        return ValueTask.CompletedTask;
    }
}
