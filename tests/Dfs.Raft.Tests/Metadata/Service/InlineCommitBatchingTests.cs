using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Dfs.Client.Master;
using Dfs.Client.Metadata;
using Dfs.Common.Hashing;
using Dfs.Raft.ChunkServers;
using Dfs.Testing.Cluster;
using Microsoft.Extensions.DependencyInjection;

namespace Dfs.Raft.Tests.Metadata.Service;

/// <summary>Concurrent inline commits on real masters share the leader's log fsyncs (group commit).</summary>
public sealed class InlineCommitBatchingTests
{
    [Fact]
    public async Task SixteenClientsCommittingSmallFiles_ShareTheLeadersLogFsyncs()
    {
        await using var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions
        {
            ChunkServers = 0,
            ConfigureMasterServices = (_, services) => services.AddSingleton<IChunkServerDirectory>(new FakeChunkServerDirectory()),
        });
        var leader = (await cluster.WaitForLeaderAsync()).Id;
        await using var masters = MasterClient.FromConfig(cluster.Config);
        var client = new MetadataClient(masters);
        await client.MkdirAsync("/small");
        var syncs = new ConcurrentQueue<long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Dfs.Raft.Host" && instrument.Name == "dfs.raft.log.entries_per_sync")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, entries, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "dfs.raft.node" && Equals(tag.Value, leader))
                {
                    syncs.Enqueue(entries);
                }
            }
        });
        listener.Start();

        await Task.WhenAll(Enumerable.Range(0, 16).Select(async c =>
        {
            for (var i = 0; i < 16; i++)
            {
                var bytes = new byte[4096];
                new Random((c * 100) + i).NextBytes(bytes);
                await client.CommitAsync($"/small/c{c}-{i}", ExpectedVersion.None,
                    new NewVersion(bytes.Length, Crc32C.Compute(bytes), 1_700_000_000_000, "application/octet-stream", [], bytes));
            }
        }));
        listener.Dispose();

        var measured = syncs.ToArray();
        Assert.NotEmpty(measured);
        // 256 commits, each one log entry: with group commit the leader makes far fewer fsyncs than entries.
        var entries = measured.Sum();
        Assert.True(entries >= 256, $"the leader synced {entries} entries in {measured.Length} fsyncs");
        Assert.True(measured.Max() > 1 && measured.Length < entries,
            $"the leader synced {entries} entries in {measured.Length} fsyncs (largest batch {measured.Max()})");
    }
}
