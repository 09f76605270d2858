using Dfs.Common.Configuration;

namespace Dfs.Common.Tests.Configuration;

public sealed class ClusterConfigTests
{
    [Fact]
    public void Validate_WithSeveralMistakes_NamesEveryFieldAsInConfigJson()
    {
        var config = new ClusterConfig
        {
            ReplicationFactor = 0,
            SnapshotThreshold = 0,
            ChunkServerTuning = new ChunkServerTuning { ScrubBytesPerSecond = -5, PipelineAckTimeoutMs = 0 },
        };

        var error = Assert.Throws<ConfigurationException>(config.Validate);

        foreach (var field in new[] { "replicationFactor", "snapshotThreshold", "chunkServerTuning.scrubBytesPerSecond", "chunkServerTuning.pipelineAckTimeoutMs" })
        {
            Assert.Contains(field, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Load_ReadsTheTuningKnobs_AndLeavesAbsentOnesUnset()
    {
        var path = Path.Combine(Path.GetTempPath(), $"dfs-config-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """
            {
              "electionTimeoutMs": 400,
              "snapshotThreshold": 5000,
              "chunkServerTuning": { "scrubBytesPerSecond": 1048576 },
              "masters": [ { "id": "m1", "raftPort": 7001, "apiPort": 7101 } ]
            }
            """);
        try
        {
            var config = ClusterConfig.Load(path);

            Assert.Equal(400, config.ElectionTimeoutMs);
            Assert.Null(config.HeartbeatIntervalMs);
            Assert.Equal(5000, config.SnapshotThreshold);
            Assert.Equal(1048576, config.ChunkServerTuning.ScrubBytesPerSecond);
            Assert.Null(config.ChunkServerTuning.PipelineAckTimeoutMs);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
