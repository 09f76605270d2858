using System.Text;
using Dfs.Client.Kv;
using Dfs.Client.Master;
using Dfs.Client.Master.Protocol;
using Dfs.Common.Configuration;
using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Hosting;
using Dfs.Raft.Kv;
using Dfs.Raft.Master;
using Dfs.Testing;

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

    [Theory]
    [InlineData("discarded", MasterErrorCode.Conflict)]
    [InlineData("invalid", MasterErrorCode.InvalidArgument)]
    [InlineData("malformed", MasterErrorCode.InvalidArgument)]
    public async Task Client_SurfacesAnErrorARetryCannotCure_WithItsCode_AfterOneAttempt(string failure, MasterErrorCode expected)
    {
        using var inner = new DirectMasterKv();
        var failing = new FailingMasterKv(inner, failure switch
        {
            "discarded" => new ResponseDiscardedException("Sequence 1 of client c was applied earlier and its response is no longer kept."),
            "invalid" => new KvValidationException("The value is too large."),
            _ => new KvFormatException("Malformed command: it ends early (truncated)."),
        });
        await using var server = await ClientProtocolServer.StartAsync(failing);
        await using var client = new MasterClient([Master("m1", server.Port)]);

        var error = await Assert.ThrowsAsync<MasterException>(() => client.PutAsync("k"u8.ToArray(), "v"u8.ToArray()));

        Assert.Equal(expected, error.Code);
        Assert.Equal(failing.Failure.Message, error.Message);
        Assert.Equal(1, failing.Calls);
    }

    [Fact]
    public async Task Client_RetriesAnUnavailableLeader_UntilItAnswers()
    {
        using var inner = new DirectMasterKv();
        var busy = new FailingMasterKv(inner, new ProposalRejectedException(ProposeRejection.TooManyUncommitted, "Too much is uncommitted."), failures: 2);
        await using var server = await ClientProtocolServer.StartAsync(busy);
        await using var client = new MasterClient([Master("m1", server.Port)]);

        Assert.True((await client.PutAsync("k"u8.ToArray(), "v"u8.ToArray())).IsOk);
        Assert.Equal(3, busy.Calls);
    }

    [Fact]
    public async Task Client_MeasuresItsCallTimeoutOnItsTimeProvider()
    {
        var time = new FakeTimeProvider();
        var ports = Dfs.Testing.FreePorts.Get(2);
        var options = new MasterClientOptions { CallTimeout = TimeSpan.FromHours(1), TimeProvider = time };
        await using var client = new MasterClient([Master("m1", ports[0]), Master("m2", ports[1])], options);

        var call = client.PutAsync("k"u8.ToArray(), "v"u8.ToArray());
        // Nothing listens on either port: every attempt fails and the client pauses (or waits out an attempt) on the
        // fake clock, which moves only here, timer by timer, until an hour has passed.
        while (!call.IsCompleted)
        {
            await Eventually.WaitUntilAsync(() => call.IsCompleted || time.NextDueTime is not null, TimeSpan.FromSeconds(10),
                () => $"call {call.Status}, {time}", "the call to finish or to wait on the fake clock");
            if (time.NextDueTime is { } due && !call.IsCompleted)
            {
                time.Advance(due > time.GetUtcNow() ? due - time.GetUtcNow() : TimeSpan.Zero);
            }
        }

        await Assert.ThrowsAsync<TimeoutException>(() => call);
        Assert.True(time.Elapsed >= options.CallTimeout, $"gave up after {time.Elapsed} of fake time");
    }

    [Fact]
    public async Task Client_LookingForTheLeader_UsesTheFirstMasterThatSaysItLeads_WithoutWaitingForASilentOne()
    {
        using var follower = new DirectMasterKv { FollowerOf = (true, null) };
        using var leader = new DirectMasterKv();
        await using var followerServer = await ClientProtocolServer.StartAsync(follower);
        await using var leaderServer = await ClientProtocolServer.StartAsync(leader);
        // m2 accepts connections and never answers, like a paused process.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start(backlog: 8);
        var silentPort = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        // On a clock that never moves, the silent master's status request never times out: the call can only finish if the
        // probe answers as soon as the leader does.
        var options = new MasterClientOptions { TimeProvider = new FakeTimeProvider() };
        await using var client = new MasterClient([Master("m1", followerServer.Port), Master("m2", silentPort), Master("m3", leaderServer.Port)],
            options);

        var put = await client.PutAsync("k"u8.ToArray(), "v"u8.ToArray()).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(put.IsOk);
        Assert.Equal("m3", client.LeaderGuess);
        Assert.NotNull(leader.Store.Get("k"u8));
    }

    [Fact]
    public async Task Client_DisposedWhileCallsAwaitAnswers_ClosesWithoutThrowing_AndTheCallsFail()
    {
        using var inner = new DirectMasterKv();
        var silent = new SilentMasterKv(inner);
        await using var server = await ClientProtocolServer.StartAsync(silent);
        // Each round disposes while the connection's read loop waits on the socket; the loop and the dispose race
        // differently each time.
        for (var round = 0; round < 20; round++)
        {
            var client = new MasterClient([Master("m1", server.Port)]);
            var before = silent.Received;
            var calls = Enumerable.Range(0, 4).Select(i => client.PutAsync(new[] { (byte)'k', (byte)i }, "v"u8.ToArray())).ToArray();
            await Eventually.WaitUntilAsync(() => silent.Received >= before + calls.Length, TimeSpan.FromSeconds(10),
                () => $"round {round}: the master received {silent.Received - before} of {calls.Length} requests");

            await client.DisposeAsync();

            foreach (var call in calls)
            {
                await Assert.ThrowsAsync<ObjectDisposedException>(() => call);
            }
        }
    }

    [Fact]
    public async Task Client_DisposedAsSoonAsAnAnswerArrives_ClosesWithoutThrowing()
    {
        using var kv = new DirectMasterKv();
        await using var server = await ClientProtocolServer.StartAsync(kv);
        // The answer wakes the caller while the connection's read loop is still on its way back to the socket; the
        // dispose that follows at once lands in that gap in some rounds.
        for (var round = 0; round < 200; round++)
        {
            var client = new MasterClient([Master("m1", server.Port)]);
            Assert.True((await client.PutAsync("k"u8.ToArray(), "v"u8.ToArray())).IsOk);
            await client.DisposeAsync();
        }
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

    /// <summary>Takes every command and never answers, until the connection it came on closes.</summary>
    private sealed class SilentMasterKv(DirectMasterKv inner) : IMasterKv
    {
        private int _received;

        public int Received => Volatile.Read(ref _received);

        public MasterStatus Status => inner.Status;

        public async Task<ReadOnlyMemory<byte>> ExecuteAsync(ReadOnlyMemory<byte> command, ClientRequest? request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _received);
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("An infinite delay ended without being cancelled.");
        }

        public Task<T> ReadAsync<T>(Func<KvStateMachine, T> read, bool linearizable, CancellationToken cancellationToken) =>
            inner.ReadAsync(read, linearizable, cancellationToken);
    }
}
