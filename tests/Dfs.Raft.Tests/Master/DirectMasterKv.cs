using Dfs.Client.Kv;
using Dfs.Client.Master.Protocol;
using Dfs.Raft.Consensus.Hosting;
using Dfs.Raft.Kv;
using Dfs.Raft.Master;

namespace Dfs.Raft.Tests.Master;

/// <summary>
/// A non-replicated IMasterKv for testing the HTTP layer above it: commands are encoded and applied to a
/// KvStateMachine at once. It can pretend to be a follower to test leader routing.
/// </summary>
internal sealed class DirectMasterKv : IMasterKv, IDisposable
{
    private long _index;

    public KvStateMachine Store { get; } = new();

    /// <summary>When set, this master behaves as a follower that knows (or, if null, does not know) a leader.</summary>
    public (bool IsFollower, string? LeaderId) FollowerOf { get; set; }

    public MasterStatus Status => new("m1", FollowerOf.IsFollower ? "Follower" : "Leader", 1, FollowerOf.IsFollower ? FollowerOf.LeaderId : "m1",
        _index, _index, _index, 0, ["m1", "m2", "m3"], Environment.ProcessId);

    /// <summary>The time stamped on every command this master applies, as a leader stamps its log entries.</summary>
    public long NowMs { get; set; } = 1_000_000;

    public Task<ReadOnlyMemory<byte>> ExecuteAsync(ReadOnlyMemory<byte> command, ClientRequest? request, CancellationToken cancellationToken)
    {
        ThrowIfFollower();
        KvCommandCodec.DecodeValidated(command);
        return Task.FromResult(Store.Apply(++_index, NowMs, command.Span));
    }

    public Task<T> ReadAsync<T>(Func<KvStateMachine, T> read, bool linearizable, CancellationToken cancellationToken)
    {
        if (linearizable)
        {
            ThrowIfFollower();
        }
        return Task.FromResult(read(Store));
    }

    private void ThrowIfFollower()
    {
        if (FollowerOf.IsFollower)
        {
            throw new NotLeaderException("m1", FollowerOf.LeaderId);
        }
    }

    public void Dispose() => Store.Dispose();
}
