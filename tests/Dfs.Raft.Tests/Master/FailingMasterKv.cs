using Dfs.Client.Master.Protocol;
using Dfs.Raft.Kv;
using Dfs.Raft.Master;

namespace Dfs.Raft.Tests.Master;

/// <summary>Throws <see cref="Failure"/> for the first <c>failures</c> commands, then serves them.</summary>
internal sealed class FailingMasterKv(DirectMasterKv inner, Exception failure, int failures = int.MaxValue) : IMasterKv
{
    private int _calls;

    public Exception Failure { get; } = failure;

    public int Calls => Volatile.Read(ref _calls);

    public MasterStatus Status => inner.Status;

    public Task<ReadOnlyMemory<byte>> ExecuteAsync(ReadOnlyMemory<byte> command, ClientRequest? request, CancellationToken cancellationToken) =>
        Interlocked.Increment(ref _calls) <= failures
            ? Task.FromException<ReadOnlyMemory<byte>>(Failure)
            : inner.ExecuteAsync(command, request, cancellationToken);

    public Task<T> ReadAsync<T>(Func<KvStateMachine, T> read, bool linearizable, CancellationToken cancellationToken) =>
        inner.ReadAsync(read, linearizable, cancellationToken);
}
