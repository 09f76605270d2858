using System.Buffers;
using Dfs.Client.Master;
using Dfs.Client.Master.Protocol;
using Dfs.Client.Metadata;
using Dfs.Client.Metadata.Protocol;
using Dfs.Common.Framing;
using Dfs.Raft.ChunkServers;
using Dfs.Testing;
using Dfs.Testing.Cluster;
using Microsoft.Extensions.DependencyInjection;

namespace Dfs.Raft.Tests.Metadata.Service;

/// <summary>The file-system service over real sockets: three in-process masters, <see cref="MetadataClient"/> through the internal protocol.</summary>
public sealed class MetadataClusterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static Task<DfsTestCluster> StartAsync(FakeChunkServerDirectory directory) => DfsTestCluster.StartAsync(new DfsTestClusterOptions
    {
        ChunkServers = 0,
        ConfigureMasterServices = (_, services) => services.AddSingleton<IChunkServerDirectory>(directory),
    });

    [Fact]
    public async Task MetadataClient_RunsEveryNamespaceOperation_ThroughTheInternalProtocol()
    {
        var directory = new FakeChunkServerDirectory();
        await using var cluster = await StartAsync(directory);
        await cluster.WaitForLeaderAsync();
        await using var masters = MasterClient.FromConfig(cluster.Config);
        var client = new MetadataClient(masters);

        Assert.True(await client.MkdirAsync("/a/b"));
        var allocation = await client.AllocateChunkAsync("/a/b/f");
        directory.Hold(allocation.Id.Value, 1, "c2");
        var content = new NewVersion(10, 7, 1_700_000_000_000, "text/plain", [new ChunkRef(allocation.Id.Value, 10, 7, allocation.Version)]);
        Assert.Equal(1, (await client.CommitAsync("/a/b/f", ExpectedVersion.None, content)).Version);

        var location = await client.LookupAsync("/a/b/f");
        Assert.Equal(content.Chunks, location.Version.Chunks);
        Assert.Equal(["c2"], location.Chunks[0].Replicas.Select(r => r.Id));
        Assert.Equal(["f"], (await client.ListAsync("/a/b")).Entries.Select(e => e.Name));
        await client.RenameAsync("/a/b", "/a/c");
        Assert.Equal(EntryKind.File, (await client.StatAsync("/a/c/f")).Kind);
        var refused = await Assert.ThrowsAsync<MetadataException>(() => client.StatAsync("/a/b/f"));
        Assert.Equal(MetadataErrorCode.NotFound, refused.Code);
        Assert.Contains("does not exist", refused.Message, StringComparison.Ordinal);
        Assert.Equal(3, (await client.DeleteAsync("/a", recursive: true)).EntriesDeleted);
        Assert.Empty((await client.ListAsync("/")).Entries);
        Assert.Equal(3, (await client.ChunkServersAsync()).Servers.Count);
    }

    [Fact]
    public async Task OneClient_SendingMoreFileSystemWritesThanTheSessionWindow_CanStillPutAKey()
    {
        await using var cluster = await StartAsync(new FakeChunkServerDirectory());
        await cluster.WaitForLeaderAsync();
        await using var masters = MasterClient.FromConfig(cluster.Config);
        var client = new MetadataClient(masters);
        var window = new Dfs.Raft.Consensus.Sessions.SessionOptions().MaxResponsesPerClient;

        for (var i = 0; i <= window; i++)
        {
            await client.MkdirAsync($"/d{i}");
        }
        var put = await masters.PutAsync("k"u8.ToArray(), "v"u8.ToArray());

        Assert.Equal(Dfs.Client.Kv.KvStatus.Ok, put.Status);
    }

    [Fact]
    public async Task AfterTheLeaderIsKilled_TheClientFollowsTheNewLeader_AndACommitSentAgainIsAppliedOnce()
    {
        var directory = new FakeChunkServerDirectory();
        await using var cluster = await StartAsync(directory);
        var leader = await cluster.WaitForLeaderAsync();
        await using var masters = MasterClient.FromConfig(cluster.Config);
        var client = new MetadataClient(masters);
        await client.MkdirAsync("/d");
        var allocation = await client.AllocateChunkAsync("/d/f");
        var commit = MetadataRequestCodec.Encode(new MetadataRequest(MetadataOp.Commit)
        {
            Path = "/d/f",
            Expected = ExpectedVersion.Any.Number,
            Content = new NewVersion(10, 7, 1, "", [new ChunkRef(allocation.Id.Value, 10, 7, allocation.Version)]),
        });
        var writer = Guid.NewGuid();

        // The commit is applied, and its answer is then lost with the leader.
        var first = await SendAsync(leader, writer, 1, commit);
        await cluster.KillMasterAsync(leader.Id);
        var next = await cluster.WaitForLeaderAsync(m => m.Id != leader.Id);
        var again = await SendAsync(next, writer, 1, commit);

        Assert.Equal(first, again);
        Assert.Equal(1, MetadataResultCodec.DecodeCommit(again).Version);
        Assert.Equal([1L], (await client.ListVersionsAsync("/d/f")).Select(v => v.Number));
        Assert.Equal(next.Id, masters.LeaderGuess);
        Assert.True(await client.MkdirAsync("/after"));
    }

    [Fact]
    public async Task ACommitInFlightWhenTheLeaderDies_IsAppliedExactlyOnce()
    {
        var directory = new FakeChunkServerDirectory();
        await using var cluster = await StartAsync(directory);
        var leader = await cluster.WaitForLeaderAsync();
        await using var masters = MasterClient.FromConfig(cluster.Config);
        var client = new MetadataClient(masters);
        var content = new List<NewVersion>();
        for (var i = 0; i < 20; i++)
        {
            var allocation = await client.AllocateChunkAsync($"/f{i}");
            content.Add(new NewVersion(10, 7, 1, "", [new ChunkRef(allocation.Id.Value, 10, 7, allocation.Version)]));
        }

        var commits = content.Select((c, i) => client.CommitAsync($"/f{i}", ExpectedVersion.Any, c)).ToList();
        await cluster.KillMasterAsync(leader.Id);
        var results = await Task.WhenAll(commits);

        Assert.All(results, r => Assert.Equal(1, r.Version));
        for (var i = 0; i < content.Count; i++)
        {
            Assert.Equal([1L], (await client.ListVersionsAsync($"/f{i}")).Select(v => v.Number));
        }
    }

    /// <summary>Sends one Metadata request to <paramref name="master"/> as client <paramref name="clientId"/>, sequence <paramref name="sequence"/>.</summary>
    private static async Task<byte[]> SendAsync(TestMaster master, Guid clientId, long sequence, byte[] request)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        await using var frames = await FrameConnection.ConnectAsync("127.0.0.1", master.RaftPort, timeout.Token);
        var body = frames.BeginFrame(MasterProtocol.RequestFrame, 1);
        MasterProtocol.WriteRequest(body, MasterRequestKind.Metadata, clientId, sequence, sequence, request);
        frames.EndFrame();
        await frames.FlushAsync(timeout.Token);
        var frame = await frames.ReadAsync(timeout.Token) ?? throw new IOException($"{master.Id} closed the connection without answering.");
        var response = MasterProtocol.ReadResponse(frame.Payload);
        return response.Error is { } error ? throw error.ToException() : response.Result.ToArray();
    }
}
