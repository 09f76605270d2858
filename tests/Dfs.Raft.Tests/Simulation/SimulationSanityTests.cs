namespace Dfs.Raft.Tests.Simulation;

/// <summary>The simulation itself: a seed replays exactly, and a host that breaks the Ready contract gets caught.</summary>
public sealed class SimulationSanityTests
{
    [Theory]
    [InlineData(3, 7)]
    [InlineData(5, 501_234)]
    public void SameSeed_ProducesTheIdenticalRunTwice(int nodes, int seed)
    {
        var options = nodes == 3 ? SimulationOptions.ThreeNodes : SimulationOptions.FiveNodes;

        var first = Simulation.Run(options, seed);
        var second = Simulation.Run(options, seed);
        var other = Simulation.Run(options, seed + 1);

        Assert.True(first.Passed, first.Describe());
        Assert.Equal(first.Events, second.Events);
        Assert.Equal(first.EndTimeUs, second.EndTimeUs);
        Assert.Equal(first.Trace, second.Trace);
        Assert.Equal(first.Stats.ToString(), second.Stats.ToString());
        Assert.Equal(first.Digest, second.Digest);
        // The digest covers the run: another seed is another run.
        Assert.NotEqual(first.Digest, other.Digest);
        Assert.True(first.Events > 1_000, $"a run should take thousands of events; this one took {first.Events}");
    }

    [Theory]
    [InlineData(HostFault.SkipsFsync, HostOrder.Sequential)]
    [InlineData(HostFault.SkipsFsync, HostOrder.Pipelined)]
    [InlineData(HostFault.AcknowledgesBeforePersist, HostOrder.Sequential)]
    [InlineData(HostFault.AcknowledgesBeforePersist, HostOrder.Pipelined)]
    public void HostBreakingTheReadyContract_IsCaught(HostFault fault, HostOrder order)
    {
        // Skipping fsync breaks a third of the seeds; acknowledging early needs a crash inside the write
        // window plus an unlucky election, so it takes more seeds to show.
        var options = SimulationOptions.ThreeNodes with { HostFault = fault, HostOrder = order };
        SimulationResult? failure = null;
        for (var seed = 1; seed <= 500 && failure is null; seed++)
        {
            var result = Simulation.Run(options, seed);
            if (!result.Passed)
            {
                failure = result;
            }
        }

        Assert.NotNull(failure);
        var report = failure.Describe();
        Assert.StartsWith($"seed {failure.Seed}: {failure.Violations[0].Invariant} at t=", report, StringComparison.Ordinal);
        Assert.Contains($"DFS_SIM_SEED={failure.Seed}", report, StringComparison.Ordinal);
        // Caught as a broken Raft or client promise, not as a crash of the harness or the core.
        Assert.DoesNotContain(failure.Violations[0].Invariant, new[] { "exception", InvariantChecker.HostContract });
    }

    [Fact]
    public void WithoutFaults_EveryWriteIsAcknowledgedAndNoneIsAnsweredTwice()
    {
        var options = SimulationOptions.ThreeNodes with
        {
            Crashes = false,
            Partitions = false,
            MaxDropProbability = 0,
            MaxDuplicateProbability = 0,
        };

        var result = Simulation.Run(options, 42);

        Assert.True(result.Passed, result.Describe());
        Assert.Equal(0, result.Stats.Crashes);
        Assert.Equal(0, result.Stats.MessagesDropped);
        Assert.True(result.Stats.AcknowledgedWrites > 100, result.Stats.ToString());
    }
}
