using System.Collections.Concurrent;
using System.Text;
using Dfs.Client.Kv;
using Dfs.Client.Master;
using Dfs.Common.Configuration;
using Dfs.Testing;
using Dfs.Testing.Linearizability;
using Dfs.Testing.Processes;

namespace Dfs.Raft.Tests.Processes;

/// <summary>Three real master processes under concurrent clients while members are SIGKILLed and restarted.</summary>
public sealed class MasterFaultTests
{
    private const int Clients = 6;
    private static readonly string[] HotKeys = ["reg/a", "reg/b", "reg/c"];
    private static readonly MasterClientOptions ClientOptions = new() { CallTimeout = TimeSpan.FromSeconds(4), AttemptTimeout = TimeSpan.FromSeconds(1) };

    [Theory]
    [InlineData(ConsensusBackends.Dfs)]
    [InlineData(ConsensusBackends.DotNext)]
    public async Task Masters_WithLeaderThenFollowerKilledUnderLoad_StayLinearizable_AndKeepEveryAcknowledgedWrite(string consensus)
    {
        await using var cluster = new MasterProcessCluster("kv-faults", consensus);
        await cluster.StartAsync();
        await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30));

        var history = new HistoryRecorder<KvInput, KvOutput>(KvOutput.Unknown);
        var durable = new ConcurrentDictionary<string, string>();
        var acknowledged = 0L;
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, Clients)
            .Select(c => Task.Run(() => RunClientAsync(c, cluster, history, durable, () => Interlocked.Increment(ref acknowledged), stop.Token)))
            .ToArray();

        async Task ProgressAsync(int operations, string phase)
        {
            var target = Interlocked.Read(ref acknowledged) + operations;
            await Eventually.WaitUntilAsync(() => Interlocked.Read(ref acknowledged) >= target, TimeSpan.FromSeconds(30),
                () => $"{Interlocked.Read(ref acknowledged)} acknowledged operations during '{phase}', waiting for {target}",
                $"{operations} more acknowledged operations during '{phase}'");
        }

        await ProgressAsync(100, "steady state");
        var leader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(10));
        await cluster.KillAsync(leader);
        await ProgressAsync(100, $"after SIGKILL of leader {leader}");
        await cluster.RestartAsync(leader);
        await ProgressAsync(50, $"after restarting {leader}");

        var newLeader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30));
        var follower = cluster.Ids.First(id => id != newLeader);
        await cluster.KillAsync(follower);
        await ProgressAsync(100, $"after SIGKILL of follower {follower}");
        await cluster.RestartAsync(follower);
        await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30));
        await ProgressAsync(50, $"after restarting {follower}");

        await stop.CancelAsync();
        await Task.WhenAll(clients);

        var operations = history.GetHistory();
        var result = LinearizabilityChecker.Check(KvModel.Instance, operations, TimeSpan.FromSeconds(60));
        Assert.True(result.IsOk, $"{operations.Count} operations: {result}");

        await using var reader = MasterClient.FromConfig(cluster.Config, ClientOptions);
        Assert.NotEmpty(durable);
        foreach (var (key, value) in durable)
        {
            var item = await reader.GetAsync(Encoding.UTF8.GetBytes(key));
            Assert.True(item is not null && Encoding.UTF8.GetString(item.Value.Span) == value,
                $"acknowledged write {key}={value} reads back as {(item is null ? "absent" : Encoding.UTF8.GetString(item.Value.Span))}");
        }
    }

    [Theory]
    [InlineData(ConsensusBackends.Dfs)]
    [InlineData(ConsensusBackends.DotNext)]
    public async Task Masters_AllKilledAndRestarted_KeepEveryAcknowledgedWrite_FromSnapshotsAndLog(string consensus)
    {
        // A small threshold, so that the restart reads a snapshot and then the log after it.
        await using var cluster = new MasterProcessCluster("kv-restart-all", consensus, c => c with { SnapshotThreshold = 16 });
        await cluster.StartAsync();
        await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30));
        await using (var client = MasterClient.FromConfig(cluster.Config, ClientOptions))
        {
            for (var i = 0; i < 100; i++)
            {
                Assert.True((await client.PutAsync(Encoding.UTF8.GetBytes($"k{i}"), Encoding.UTF8.GetBytes($"v{i}"))).IsOk);
            }
        }
        foreach (var id in cluster.Ids.ToList())
        {
            await cluster.KillAsync(id);
        }

        await cluster.StartAsync();
        var leader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30));

        await using var reader = MasterClient.FromConfig(cluster.Config, ClientOptions);
        for (var i = 0; i < 100; i++)
        {
            var item = await reader.GetAsync(Encoding.UTF8.GetBytes($"k{i}"));
            Assert.True(item is not null && Encoding.UTF8.GetString(item.Value.Span) == $"v{i}",
                $"k{i} reads back as {(item is null ? "absent" : Encoding.UTF8.GetString(item.Value.Span))} after the restart");
        }
        var status = await cluster.StatusAsync(leader, CancellationToken.None);
        Assert.True(status?.GetProperty("snapshotIndex").GetInt64() > 0, $"leader {leader} reports no snapshot: {status}");
    }

    [Theory]
    [InlineData(ConsensusBackends.Dfs)]
    [InlineData(ConsensusBackends.DotNext)]
    public async Task Leader_OnSigterm_HandsLeadershipOver_AndExitsCleanly(string consensus)
    {
        await using var cluster = new MasterProcessCluster("kv-sigterm", consensus);
        await cluster.StartAsync();
        var leader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30));
        await using (var client = MasterClient.FromConfig(cluster.Config, ClientOptions))
        {
            Assert.True((await client.PutAsync("before"u8.ToArray(), "1"u8.ToArray())).IsOk);
        }
        var exitCode = await cluster.TerminateAsync(leader);

        Assert.Equal(0, exitCode);
        var successor = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(10));
        Assert.NotEqual(leader, successor);
        Assert.Contains($"hands leadership to {successor}", cluster.LastOutput, StringComparison.Ordinal);
        await using var after = MasterClient.FromConfig(cluster.Config, ClientOptions);
        Assert.Equal("1", Encoding.UTF8.GetString((await after.GetAsync("before"u8.ToArray()))!.Value.Span));
    }

    private static async Task RunClientAsync(int clientId, MasterProcessCluster cluster, HistoryRecorder<KvInput, KvOutput> history,
        ConcurrentDictionary<string, string> durable, Action onAcknowledged, CancellationToken stop)
    {
        await using var client = MasterClient.FromConfig(cluster.Config, ClientOptions);
        var random = new Random(clientId);
        var lastSeen = new Dictionary<string, string?>();
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var key = HotKeys[random.Next(HotKeys.Length)];
            var value = $"c{clientId}-{n}";
            var roll = random.Next(100);
            if (roll < 15)
            {
                var durableKey = $"durable/c{clientId}/{n}";
                try
                {
                    if ((await client.PutAsync(Encoding.UTF8.GetBytes(durableKey), Encoding.UTF8.GetBytes(value), CancellationToken.None)).IsOk)
                    {
                        durable[durableKey] = value;
                        onAcknowledged();
                    }
                }
                catch (TimeoutException)
                {
                }
                continue;
            }
            var input = roll switch
            {
                < 50 => KvInput.Put(key, value),
                < 85 => KvInput.Get(key),
                _ => KvInput.CompareAndSwap(key, lastSeen.GetValueOrDefault(key), value),
            };
            var handle = history.Invoke(clientId, input);
            try
            {
                KvOutput output;
                switch (input.Kind)
                {
                    case KvOperationKind.Put:
                        await client.PutAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value), CancellationToken.None);
                        output = KvOutput.Done;
                        break;
                    case KvOperationKind.Get:
                        var item = await client.GetAsync(Encoding.UTF8.GetBytes(key), CancellationToken.None);
                        var read = item is null ? null : Encoding.UTF8.GetString(item.Value.Span);
                        lastSeen[key] = read;
                        output = KvOutput.Read(read);
                        break;
                    default:
                        var keyBytes = Encoding.UTF8.GetBytes(key);
                        var compare = input.Expected is null
                            ? KvCompare.Missing(keyBytes)
                            : KvCompare.ValueIs(keyBytes, KvCompareOperator.Equal, Encoding.UTF8.GetBytes(input.Expected));
                        var result = await client.ExecuteAsync(KvCommand.Txn([compare], [KvOp.Put(keyBytes, Encoding.UTF8.GetBytes(value))]), CancellationToken.None);
                        output = KvOutput.CasResult(result.Succeeded);
                        break;
                }
                history.Ok(handle, output);
                onAcknowledged();
            }
            catch (TimeoutException)
            {
                // A read that never returned changed nothing; a write may or may not have happened.
                if (input.Kind == KvOperationKind.Get)
                {
                    history.Fail(handle);
                }
                else
                {
                    history.Indeterminate(handle);
                }
            }
        }
    }
}
