using System.Text;
using Dfs.Common.Configuration;
using Dfs.Raft.Client;
using Dfs.Raft.Consensus.Hosting;
using Dfs.Raft.Kv;
using Dfs.Raft.Master;

namespace Dfs.Raft.Tests.Master;

public sealed class MasterClientTests
{
    private static MasterNodeConfig Master(string id, int port) => new() { Id = id, Host = "127.0.0.1", RaftPort = port, ApiPort = 0 };

    [Fact]
    public async Task Client_PutsAndReadsThroughTheInternalProtocol()
    {
        using var kv = new DirectMasterKv();
        await using var server = await ClientProtocolServer.StartAsync(kv);
        await using var client = new MasterClient([Master("m1", server.Port)]);

        var put = await client.PutAsync("a/1"u8.ToArray(), "one"u8.ToArray());
        Assert.True(put.IsOk);
        var item = await client.GetAsync("a/1"u8.ToArray());
        Assert.NotNull(item);
        Assert.Equal("one", Encoding.UTF8.GetString(item.Value.Span));
        Assert.Equal(put.Revision, item.ModRevision);
        Assert.Null(await client.GetAsync("a/2"u8.ToArray()));
        Assert.Single((await client.RangeAsync("a/"u8.ToArray())).Items);
    }

    [Fact]
    public async Task Client_FollowsTheLeaderAFollowerNames()
    {
        using var follower = new DirectMasterKv { FollowerOf = (true, "m2") };
        using var leader = new DirectMasterKv();
        await using var followerServer = await ClientProtocolServer.StartAsync(follower);
        await using var leaderServer = await ClientProtocolServer.StartAsync(leader);
        await using var client = new MasterClient([Master("m1", followerServer.Port), Master("m2", leaderServer.Port)]);

        var put = await client.PutAsync("k"u8.ToArray(), "v"u8.ToArray());

        Assert.True(put.IsOk);
        Assert.Equal("m2", client.LeaderGuess);
        Assert.NotNull(leader.Store.Get("k"u8));
        Assert.Null(follower.Store.Get("k"u8));
    }

    [Fact]
    public async Task Client_SkipsAMasterThatIsDown()
    {
        using var kv = new DirectMasterKv();
        await using var server = await ClientProtocolServer.StartAsync(kv);
        var deadPort = Dfs.Testing.FreePorts.GetOne();
        await using var client = new MasterClient([Master("m1", deadPort), Master("m2", server.Port)]);

        Assert.True((await client.PutAsync("k"u8.ToArray(), "v"u8.ToArray())).IsOk);
        Assert.Equal("m2", client.LeaderGuess);
    }

    [Fact]
    public async Task Client_RetriesAnUnknownOutcomeWithTheSameSequenceNumber()
    {
        using var inner = new DirectMasterKv();
        var flaky = new OutcomeUnknownOnce(inner);
        await using var server = await ClientProtocolServer.StartAsync(flaky);
        await using var client = new MasterClient([Master("m1", server.Port)]);

        Assert.True((await client.PutAsync("k"u8.ToArray(), "v"u8.ToArray())).IsOk);
        Assert.True((await client.PutAsync("k2"u8.ToArray(), "v"u8.ToArray())).IsOk);

        // Attempts: first put twice (same identity), second put once with the next sequence number.
        Assert.Equal(3, flaky.Requests.Count);
        Assert.Equal(flaky.Requests[0], flaky.Requests[1]);
        Assert.Equal(client.ClientId, flaky.Requests[0]!.Value.ClientId);
        Assert.Equal(flaky.Requests[0]!.Value.Sequence + 1, flaky.Requests[2]!.Value.Sequence);
    }

    [Fact]
    public async Task Client_SurfacesAnInvalidCommandWithoutRetrying()
    {
        using var kv = new DirectMasterKv();
        await using var server = await ClientProtocolServer.StartAsync(kv);
        await using var client = new MasterClient([Master("m1", server.Port)]);

        // A lease that does not exist is refused by the store with a reason, not retried forever.
        var result = await client.ExecuteAsync(KvCommand.RevokeLease(12345));
        Assert.Equal(KvStatus.LeaseNotFound, result.Status);
    }

    [Fact]
    public async Task Client_GivesUpAfterItsCallTimeout_WhenNoMasterAnswers()
    {
        var ports = Dfs.Testing.FreePorts.Get(2);
        await using var client = new MasterClient([Master("m1", ports[0]), Master("m2", ports[1])],
            new MasterClientOptions { CallTimeout = TimeSpan.FromMilliseconds(300) });
        var error = await Assert.ThrowsAsync<TimeoutException>(() => client.PutAsync("k"u8.ToArray(), "v"u8.ToArray()));
        Assert.Contains("may or may not have been applied", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Applies the first command and then reports its outcome as unknown, as a deposed leader would.</summary>
    private sealed class OutcomeUnknownOnce(DirectMasterKv inner) : IMasterKv
    {
        private int _calls;

        public List<ClientRequest?> Requests { get; } = [];

        public MasterStatus Status => inner.Status;

        public async Task<ReadOnlyMemory<byte>> ExecuteAsync(ReadOnlyMemory<byte> command, ClientRequest? request, CancellationToken cancellationToken)
        {
            lock (Requests)
            {
                Requests.Add(request);
            }
            var result = await inner.ExecuteAsync(command, request, cancellationToken);
            if (Interlocked.Increment(ref _calls) == 1)
            {
                throw new ProposalOutcomeUnknownException(1, "leadership changed");
            }
            return result;
        }

        public Task<T> ReadAsync<T>(Func<KvStateMachine, T> read, bool linearizable, CancellationToken cancellationToken) =>
            inner.ReadAsync(read, linearizable, cancellationToken);
    }
}
