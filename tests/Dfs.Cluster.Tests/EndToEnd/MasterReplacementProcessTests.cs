using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Dfs.Client.Master;
using Dfs.Testing;
using Dfs.Testing.Processes;
using Xunit.Abstractions;
using static Dfs.Cluster.Tests.EndToEnd.GatewayRequests;

namespace Dfs.Cluster.Tests.EndToEnd;

/// <summary>
/// A master replaced with no downtime on real processes, on either consensus backend: a fourth master is added through
/// <c>dfs masters add</c>, catches up, the old one is removed with <c>dfs masters remove</c> and stopped, while clients write.
/// </summary>
[Collection(nameof(MasterReplacementProcessTests))]
public sealed class MasterReplacementProcessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("dfs")]
    [InlineData("dotnext")]
    public async Task Master_ReplacedWhileClientsWrite_LosesNoAcknowledgedWrite_AndTheNewMasterStaysAMemberAfterARestart(string consensus)
    {
        await using var cluster = await DfsProcessCluster.StartAsync($"replace-master-{consensus}",
            new DfsProcessClusterOptions { Consensus = consensus, ChunkServers = 3 });
        using var http = new HttpClient { BaseAddress = cluster.GatewayAddress, Timeout = TimeSpan.FromSeconds(60) };
        await WaitUntilWritableAsync(http, cluster, Timeout);
        // A client of the store itself, started with config.json's three masters; it follows the group's book as the gateway does.
        await using var keys = MasterClient.FromConfig(cluster.Config);

        var files = new ConcurrentDictionary<string, byte[]>();
        var values = new ConcurrentDictionary<string, string>();
        var failures = new ConcurrentQueue<string>();
        long acknowledged = 0;
        using var stop = new CancellationTokenSource();

        async Task FileWriterAsync(int writer)
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var path = $"replace/w{writer}/f{n:D5}.bin";
                var data = RandomBytes(2048 + n % 7 * 1024, seed: writer * 100_000 + n);
                try
                {
                    using var put = await http.PutAsync(FileUri(path), Binary(data));
                    if (put.StatusCode == HttpStatusCode.Created)
                    {
                        files[path] = data;
                        Interlocked.Increment(ref acknowledged);
                    }
                    else
                    {
                        failures.Enqueue($"PUT {path}: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    failures.Enqueue($"PUT {path}: {e.Message}");
                }
            }
        }

        async Task KeyWriterAsync()
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var key = $"replace/keys/k{n:D5}";
                var value = $"v{n}-{consensus}";
                try
                {
                    await keys.PutAsync(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value));
                    values[key] = value;
                    Interlocked.Increment(ref acknowledged);
                }
                catch (Exception e) when (e is TimeoutException or IOException or Dfs.Client.Master.Protocol.MasterException)
                {
                    failures.Enqueue($"put {key}: {e.Message}");
                }
                if (n % 20 == 0)
                {
                    await RefreshAsync(keys);
                }
            }
        }

        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(() => FileWriterAsync(w))).Append(Task.Run(KeyWriterAsync)).ToArray();
        await WaitForWritesAsync(() => Interlocked.Read(ref acknowledged), 20, cluster);

        var m4 = cluster.AddMaster();
        cluster.Start(m4.Id);
        await cluster.WaitReadyAsync(m4.Id);
        string[] add = ["masters", "add", m4.Id, "--host", m4.Host, "--raft-port", $"{m4.RaftPort}", "--api-port", $"{m4.ApiPort}"];
        var added = await Cli.RunAsync(cluster.GatewayAddress, Timeout, m4.ConsensusPort is { } port ? [.. add, "--consensus-port", $"{port}"] : add);
        Assert.True(added.ExitCode == 0, added + Environment.NewLine + cluster.Logs());
        output.WriteLine(added.Stdout);

        // Before the old master goes, everything that must reach a new leader knows m4: the chunk servers heartbeat to it, the gateway asks it.
        foreach (var server in cluster.ChunkServerIds)
        {
            await cluster.Process(server).WaitForLineAsync(l => l.Contains("now heartbeats to masters", StringComparison.Ordinal) && l.Contains(m4.Id, StringComparison.Ordinal),
                Timeout, $"{server} heartbeating to {m4.Id}");
        }
        await Eventually.WaitUntilAsync(async () => (await GatewayMastersAsync(http)).Contains(m4.Id), Timeout, () => cluster.Logs(), $"the gateway asking {m4.Id}",
            TimeSpan.FromMilliseconds(200));

        var beforeRemoval = Interlocked.Read(ref acknowledged);
        var removed = await Cli.RunAsync(cluster.GatewayAddress, Timeout, "masters", "remove", "m1");
        Assert.True(removed.ExitCode == 0, removed + Environment.NewLine + cluster.Logs());
        output.WriteLine(removed.Stdout);
        await cluster.StopAsync("m1");
        var leader = await cluster.WaitForLeaderAsync(Timeout);
        output.WriteLine($"{consensus}: leader after the replacement: {leader}");
        await WaitForWritesAsync(() => Interlocked.Read(ref acknowledged), beforeRemoval + 30, cluster);

        await stop.CancelAsync();
        await Task.WhenAll(writers);
        output.WriteLine($"{consensus}: {files.Count} files and {values.Count} keys acknowledged, {failures.Count} failed");
        Assert.True(failures.IsEmpty, $"{failures.Count} writes failed during the replacement:{Environment.NewLine}{string.Join(Environment.NewLine, failures.Take(20))}");

        foreach (var (path, data) in files)
        {
            Assert.Equal(data, await http.GetByteArrayAsync(FileUri(path)));
        }
        foreach (var (key, value) in values)
        {
            var read = await keys.GetAsync(Encoding.UTF8.GetBytes(key));
            Assert.True(read is not null, $"acknowledged key {key} is missing");
            Assert.Equal(value, Encoding.UTF8.GetString(read.Value.Span));
        }

        var listed = await Cli.RunAsync(cluster.GatewayAddress, Timeout, "masters", "list", "--json");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Equal(["m2", "m3", m4.Id], VoterIds(listed.Stdout));

        // m4 restarts from its own files: config.json still marks it joining, the member list it persisted wins.
        await cluster.KillAsync(m4.Id);
        await cluster.RestartAsync(m4.Id);
        await cluster.WaitForLeaderAsync(Timeout);
        await Eventually.WaitUntilAsync(async () =>
        {
            var status = await cluster.StatusAsync(m4.Id);
            return status is { } s && s.GetProperty("members").EnumerateArray().Select(m => m.GetString()).Order().SequenceEqual(["m2", "m3", m4.Id]);
        }, Timeout, () => cluster.Logs(), $"{m4.Id} back with members m2, m3, {m4.Id}", TimeSpan.FromMilliseconds(200));
        var relisted = await Cli.RunAsync(cluster.GatewayAddress, Timeout, "masters", "list", "--json");
        Assert.Equal(["m2", "m3", m4.Id], VoterIds(relisted.Stdout));
        using var after = await http.PutAsync(FileUri("replace/after-restart.bin"), Binary([4, 5, 6]));
        Assert.Equal(HttpStatusCode.Created, after.StatusCode);
    }

    [Theory]
    [InlineData("dfs")]
    [InlineData("dotnext")]
    public async Task Leader_RemovedWhileClientsWrite_StepsDown_AndNoWriteFails(string consensus)
    {
        await using var cluster = await DfsProcessCluster.StartAsync($"remove-leader-{consensus}",
            new DfsProcessClusterOptions { Consensus = consensus, ChunkServers = 3 });
        using var http = new HttpClient { BaseAddress = cluster.GatewayAddress, Timeout = TimeSpan.FromSeconds(60) };
        await WaitUntilWritableAsync(http, cluster, Timeout);
        var files = new ConcurrentDictionary<string, byte[]>();
        var failures = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        async Task WriterAsync(int writer)
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var path = $"leaver/w{writer}/f{n:D5}.bin";
                var data = RandomBytes(4096, seed: writer * 100_000 + n);
                try
                {
                    using var put = await http.PutAsync(FileUri(path), Binary(data));
                    if (put.StatusCode == HttpStatusCode.Created)
                    {
                        files[path] = data;
                    }
                    else
                    {
                        failures.Enqueue($"PUT {path}: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    failures.Enqueue($"PUT {path}: {e.Message}");
                }
            }
        }
        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(() => WriterAsync(w))).ToArray();
        await WaitForWritesAsync(() => files.Count, 10, cluster);

        var leader = await cluster.WaitForLeaderAsync(Timeout);
        var removed = await Cli.RunAsync(cluster.GatewayAddress, Timeout, "masters", "remove", leader);
        Assert.True(removed.ExitCode == 0, removed + Environment.NewLine + cluster.Logs());
        await cluster.StopAsync(leader);
        var next = await cluster.WaitForLeaderAsync(Timeout);
        var beforeStop = files.Count;
        await WaitForWritesAsync(() => files.Count, beforeStop + 20, cluster);
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        Assert.NotEqual(leader, next);
        Assert.True(failures.IsEmpty, $"{failures.Count} writes failed while the leader left:{Environment.NewLine}{string.Join(Environment.NewLine, failures.Take(20))}");
        foreach (var (path, data) in files)
        {
            Assert.Equal(data, await http.GetByteArrayAsync(FileUri(path)));
        }
        var listed = await Cli.RunAsync(cluster.GatewayAddress, Timeout, "masters", "list", "--json");
        Assert.Equal(cluster.MasterIds.Where(id => id != leader).Order(StringComparer.Ordinal), VoterIds(listed.Stdout));
    }

    private static async Task RefreshAsync(MasterClient client)
    {
        try
        {
            await client.RefreshMastersAsync();
        }
        catch (Exception e) when (e is TimeoutException or IOException or Dfs.Client.Master.Protocol.MasterException)
        {
            // The next round tries again; a write in between still goes to a master the client knows.
        }
    }

    private static Task WaitForWritesAsync(Func<long> count, long atLeast, DfsProcessCluster cluster) =>
        Eventually.WaitUntilAsync(() => count() >= atLeast, Timeout, () => $"{count()} writes acknowledged{Environment.NewLine}{cluster.Logs()}",
            $"at least {atLeast} acknowledged writes", TimeSpan.FromMilliseconds(50));

    private static async Task<string[]> GatewayMastersAsync(HttpClient http)
    {
        using var cluster = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/cluster", UriKind.Relative)));
        return cluster.RootElement.GetProperty("masters").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).ToArray();
    }

    private static string[] VoterIds(string json)
    {
        using var group = JsonDocument.Parse(json);
        return group.RootElement.GetProperty("members").EnumerateArray()
            .Where(m => m.GetProperty("role").GetString() == "voter")
            .Select(m => m.GetProperty("id").GetString()!).Order(StringComparer.Ordinal).ToArray();
    }
}
