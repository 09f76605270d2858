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
    public void Validate_WithUnknownConsensus_NamesTheAllowedValues()
    {
        var config = new ClusterConfig { Consensus = "paxos" };

        var error = Assert.Throws<ConfigurationException>(config.Validate);

        Assert.Contains("consensus must be \"dfs\" or \"dotnext\" (is \"paxos\")", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Consensus_IsDfsByDefault_AndDotNextsPortDefaultsToRaftPortPlus1000()
    {
        var master = new MasterNodeConfig { Id = "m1", RaftPort = 7001, ApiPort = 7101 };

        Assert.Equal(ConsensusBackends.Dfs, new ClusterConfig().Consensus);
        Assert.Equal(8001, master.ConsensusPortOrDefault);
        Assert.Equal(9001, (master with { ConsensusPort = 9001 }).ConsensusPortOrDefault);
    }

    [Fact]
    public void Validate_OnDotNext_RefusesAConsensusPortAnotherNodeUses()
    {
        var config = new ClusterConfig
        {
            Consensus = ConsensusBackends.DotNext,
            Masters = [new MasterNodeConfig { Id = "m1", RaftPort = 7001, ApiPort = 7101, ConsensusPort = 7101 }],
        };

        var error = Assert.Throws<ConfigurationException>(config.Validate);

        Assert.Contains("127.0.0.1:7101 is used by m1 and m1", error.Message, StringComparison.Ordinal);
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
