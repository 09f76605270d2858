using System.Collections.Concurrent;
using System.Net;
using Dfs.Raft.Consensus.Messages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dfs.Raft.Consensus.Transport;

/// <summary>
/// Raft over TCP: one outbound connection per peer, fed by a bounded queue and a writer task that batches
/// frames per flush; inbound messages arrive through <see cref="RaftConnectionHandler"/> on the node's
/// Kestrel listener (see <see cref="RaftTcpListener"/>).
/// </summary>
/// <remarks>
/// A peer that cannot be reached is retried with exponential backoff; what was queued for it is dropped and
/// reported through the unreachable handler, and Raft resends. Thread-safe.
/// </remarks>
public sealed partial class TcpRaftTransport : IRaftTransport, IRaftInboundSink
{
    private readonly TcpRaftTransportOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, PeerLink> _links = new();
    private readonly CancellationTokenSource _stopping = new();
    private Action<RaftMessage>? _onMessage;
    private Action<string>? _onUnreachable;
    private Action<string>? _onPeerClosed;
    private int _disposed;

    public TcpRaftTransport(TcpRaftTransportOptions options, TimeProvider? time = null, ILogger<TcpRaftTransport>? logger = null)
    {
        options.Validate();
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger<TcpRaftTransport>.Instance;
        foreach (var (id, address) in options.Peers)
        {
            SetPeer(id, address);
        }
    }

    /// <inheritdoc />
    public string SnapshotDirectory => _options.SnapshotDirectory;

    /// <inheritdoc />
    public int InMemorySnapshotLimit => _options.InMemorySnapshotLimit;

    /// <summary>Adds a peer or changes where it listens; the next connection goes to the new address.</summary>
    public void SetPeer(string id, DnsEndPoint address)
    {
        if (id == _options.NodeId)
        {
            return;
        }
        var link = _links.GetOrAdd(id, peer => new PeerLink(this, peer, address));
        link.Address = address;
    }

    /// <inheritdoc />
    public void Start(Action<RaftMessage> onMessage, Action<string> onUnreachable) => Start(onMessage, onUnreachable, _ => { });

    /// <inheritdoc />
    public void Start(Action<RaftMessage> onMessage, Action<string> onUnreachable, Action<string> onPeerClosed)
    {
        _onUnreachable = onUnreachable;
        _onPeerClosed = onPeerClosed;
        _onMessage = onMessage;
    }

    /// <inheritdoc />
    public void Send(RaftMessage message)
    {
        if (_options.SendFilter is { } filter && !filter(_options.NodeId, message.To))
        {
            return;
        }
        if (_links.TryGetValue(message.To, out var link))
        {
            link.Enqueue(message);
        }
        else
        {
            Log.UnknownPeer(_logger, message.To);
        }
    }

    /// <inheritdoc />
    void IRaftInboundSink.Deliver(RaftMessage message)
    {
        if (message.To == _options.NodeId && Volatile.Read(ref _disposed) == 0)
        {
            _onMessage?.Invoke(message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stopping.CancelAsync();
        foreach (var link in _links.Values)
        {
            await link.StopAsync();
        }
        _stopping.Dispose();
    }

    private void ReportUnreachable(string peer)
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            _onUnreachable?.Invoke(peer);
        }
    }

    private void ReportPeerClosed(string peer)
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            _onPeerClosed?.Invoke(peer);
        }
    }
}
