using Dfs.ChunkServer.Server;
using Dfs.ChunkServer.Storage;
using Dfs.Common.Configuration;

namespace Dfs.ChunkServer.Tests.Server;

public sealed class ChunkServerSettingsTests
{
    private static readonly ClusterConfig Config = new()
    {
        BaseDirectory = "/srv/dfs",
        ChunkServers = [new ChunkServerNodeConfig { Id = "c1", Host = "10.0.0.5", Port = 7201, CapacityBytes = 1 << 30 }],
    };

    [Fact]
    public void From_WithoutTuning_KeepsEveryComponentDefault()
    {
        var settings = ChunkServerSettings.From(Config, "c1");

        Assert.Equal(("10.0.0.5", 7201), (settings.Server.Host, settings.Server.Port));
        Assert.Equal(new ChunkServerOptions().AckTimeout, settings.Server.AckTimeout);
        Assert.Equal(new ChunkServerOptions().PendingWriteTimeout, settings.Server.PendingWriteTimeout);
        Assert.Equal(new ChunkScrubberOptions().BytesPerSecond, settings.Scrubber.BytesPerSecond);
        Assert.Equal(new ChunkScrubberOptions().PassInterval, settings.Scrubber.PassInterval);
        Assert.Equal(Path.GetFullPath("/srv/dfs/data/c1"), settings.Store.RootPath);
        Assert.Equal(1 << 30, settings.Store.CapacityBytes);
    }

    [Fact]
    public void From_WithTuningAndOverrides_TakesThem()
    {
        var config = Config with
        {
            ChunkServerTuning = new ChunkServerTuning { ScrubBytesPerSecond = 1000, ScrubPassIntervalSeconds = 60, PipelineAckTimeoutMs = 2500, PendingWriteTimeoutMs = 9000 },
        };

        var settings = ChunkServerSettings.From(config, "c1", host: "127.0.0.1", port: 0);

        Assert.Equal(("127.0.0.1", 0), (settings.Server.Host, settings.Server.Port));
        Assert.Equal(TimeSpan.FromMilliseconds(2500), settings.Server.AckTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(9000), settings.Server.PendingWriteTimeout);
        Assert.Equal(1000, settings.Scrubber.BytesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.Scrubber.PassInterval);
    }

    [Fact]
    public void From_AnUnknownId_NamesTheIdsTheConfigHas()
    {
        var error = Assert.Throws<ConfigurationException>(() => ChunkServerSettings.From(Config, "c9"));
        Assert.Contains("c1", error.Message, StringComparison.Ordinal);
    }
}
