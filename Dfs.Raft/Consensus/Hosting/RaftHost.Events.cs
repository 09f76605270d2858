using Dfs.Raft.Consensus.Messages;

namespace Dfs.Raft.Consensus.Hosting;

public sealed partial class RaftHost
{
    /// <summary>One thing for the event loop to do.</summary>
    private abstract class HostEvent
    {
        /// <summary>The event will never run (the host stopped); tell whoever waits on it.</summary>
        public virtual void Fail(Exception error)
        {
        }
    }

    private sealed class MessageEvent(RaftMessage message) : HostEvent
    {
        public RaftMessage Message { get; } = message;
    }

    private sealed class UnreachableEvent(string peer) : HostEvent
    {
        public string Peer { get; } = peer;
    }

    private sealed class PeerClosedEvent(string peer) : HostEvent
    {
        public string Peer { get; } = peer;
    }

    private sealed class TickEvent : HostEvent
    {
        public static readonly TickEvent Instance = new();
    }

    private sealed class ProposeEvent(ReadOnlyMemory<byte> command, PendingProposal proposal, ConfigurationChange? change = null) : HostEvent
    {
        public ReadOnlyMemory<byte> Command { get; } = command;

        public PendingProposal Proposal { get; } = proposal;

        public ConfigurationChange? Change { get; } = change;

        public override void Fail(Exception error) => Proposal.Fail(error);
    }

    private sealed class ReadEvent(PendingRead read) : HostEvent
    {
        public PendingRead Read { get; } = read;

        public override void Fail(Exception error) => Read.Fail(error);
    }

    private abstract class ControlEvent : HostEvent
    {
        public abstract void Execute(RaftNode node);
    }

    private sealed class ControlEvent<T> : ControlEvent
    {
        private readonly Func<RaftNode, T> _action;
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenRegistration _registration;

        public ControlEvent(Func<RaftNode, T> action, CancellationToken cancellationToken)
        {
            _action = action;
            _registration = cancellationToken.Register(static (state, token) => ((TaskCompletionSource<T>)state!).TrySetCanceled(token), _completion);
        }

        public Task<T> Task => _completion.Task;

        public override void Execute(RaftNode node)
        {
            _registration.Dispose();
            try
            {
                _completion.TrySetResult(_action(node));
            }
            catch (Exception e)
            {
                _completion.TrySetException(e);
            }
        }

        public override void Fail(Exception error)
        {
            _registration.Dispose();
            _completion.TrySetException(error);
        }
    }

    /// <summary>A proposal waiting for its entry to be applied.</summary>
    private sealed class PendingProposal
    {
        private readonly TaskCompletionSource<ReadOnlyMemory<byte>> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenRegistration _registration;

        public PendingProposal(CancellationToken cancellationToken)
        {
            _registration = cancellationToken.Register(
                static (state, token) => ((TaskCompletionSource<ReadOnlyMemory<byte>>)state!).TrySetCanceled(token), _completion);
        }

        public Task<ReadOnlyMemory<byte>> Task => _completion.Task;

        public bool IsCompleted => _completion.Task.IsCompleted;

        /// <summary>The term of the entry this proposal became; 0 until accepted.</summary>
        public long Term { get; set; }

        public void Complete(ReadOnlyMemory<byte> result)
        {
            _registration.Dispose();
            _completion.TrySetResult(result);
        }

        public void Fail(Exception error)
        {
            _registration.Dispose();
            _completion.TrySetException(error);
        }
    }

    /// <summary>A linearizable read waiting for its confirmation and for the apply index to reach it.</summary>
    private abstract class PendingRead
    {
        public abstract bool IsCompleted { get; }

        public abstract void Execute();

        public abstract void Fail(Exception error);
    }

    private sealed class PendingRead<T> : PendingRead
    {
        private readonly Func<T> _read;
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenRegistration _registration;

        public PendingRead(Func<T> read, CancellationToken cancellationToken)
        {
            _read = read;
            _registration = cancellationToken.Register(static (state, token) => ((TaskCompletionSource<T>)state!).TrySetCanceled(token), _completion);
        }

        public Task<T> Task => _completion.Task;

        public override bool IsCompleted => _completion.Task.IsCompleted;

        public override void Execute()
        {
            _registration.Dispose();
            if (_completion.Task.IsCompleted)
            {
                return;
            }
            try
            {
                _completion.TrySetResult(_read());
            }
            catch (Exception e)
            {
                _completion.TrySetException(e);
            }
        }

        public override void Fail(Exception error)
        {
            _registration.Dispose();
            _completion.TrySetException(error);
        }
    }
}
