using Dfs.Raft.Consensus.Messages;

namespace Dfs.Raft.Consensus.Transport;

/// <summary>Carries Raft messages between the members of a group.</summary>
/// <remarks>
/// Delivery is best effort: a message may be lost, duplicated or arrive after a later one, and Raft retries.
/// <see cref="Send"/> never blocks. Handlers run on transport threads and must not block either; a host
/// queues what they give it. A snapshot delivered to the inbound handler belongs to the receiver: its
/// payload is a temporary file or memory that nothing else references.
/// </remarks>
public interface IRaftTransport : IAsyncDisposable
{
    /// <summary>Starts delivering inbound messages to <paramref name="onMessage"/> and reports peers a send could not reach to <paramref name="onUnreachable"/>.</summary>
    void Start(Action<RaftMessage> onMessage, Action<string> onUnreachable);

    /// <summary>
    /// As <see cref="Start(Action{RaftMessage}, Action{string})"/>, and also reports a peer that closed the connection this
    /// node sends to it on (an end of stream or a reset: its process most likely died) to <paramref name="onPeerClosed"/>.
    /// A transport that cannot tell never calls it.
    /// </summary>
    void Start(Action<RaftMessage> onMessage, Action<string> onUnreachable, Action<string> onPeerClosed) => Start(onMessage, onUnreachable);

    /// <summary>Queues <paramref name="message"/> for its addressee, or drops it if the addressee is unknown or unreachable.</summary>
    void Send(RaftMessage message);
}
