using Xunit.Abstractions;

namespace Dfs.Raft.Tests.Simulation;

/// <summary>
/// Seeded runs of the whole group under faults. A failure names the seed and the invariant;
/// DFS_SIM_SEED=n replays one seed (with its trace in the output), DFS_SIM_SEEDS=n runs n seeds per
/// scenario instead of the default (an opt-in soak).
/// </summary>
public sealed class SimulationTests(ITestOutputHelper output)
{
    private const int Batches = 4;

    public static TheoryData<int> BatchNumbers => [0, 1, 2, 3];

    [Theory]
    [MemberData(nameof(BatchNumbers))]
    public void ThreeNodes_UnderCrashesPartitionsAndLossyNetwork_KeepEveryInvariant(int batch) =>
        RunScenario(SimulationOptions.ThreeNodes, 1_000_000, batch, defaultSeedsPerBatch: 175);

    [Theory]
    [MemberData(nameof(BatchNumbers))]
    public void FiveNodes_UnderCrashesPartitionsAndLossyNetwork_KeepEveryInvariant(int batch) =>
        RunScenario(SimulationOptions.FiveNodes, 5_000_000, batch, defaultSeedsPerBatch: 75);

    [Theory]
    [MemberData(nameof(BatchNumbers))]
    public void MembershipChanges_UnderCrashesPartitionsAndLossyNetwork_KeepEveryInvariant(int batch) =>
        RunScenario(SimulationOptions.Membership, 9_000_000, batch, defaultSeedsPerBatch: 50);

    /// <summary>Seeds that once failed, each with its scenario: every run replays them.</summary>
    public static TheoryData<string, int> RegressionSeeds => new()
    {
        // A follower lost entries it had acknowledged when it crashed right after installing a snapshot its log continued.
        { nameof(SimulationOptions.ThreeNodes), 71_002_585 },
        { nameof(SimulationOptions.FiveNodes), 85_005_771 },
        { nameof(SimulationOptions.FiveNodes), 85_002_226 },
        // A learner promoted while cut off kept its old leader's lease forever and refused the votes of the election that needed it.
        { nameof(SimulationOptions.Membership), 1_895_952_895 },
        { nameof(SimulationOptions.Membership), 1_895_960_186 },
    };

    public static TheoryData<string> Scenarios =>
        [nameof(SimulationOptions.ThreeNodes), nameof(SimulationOptions.FiveNodes), nameof(SimulationOptions.Membership)];

    [Theory]
    [MemberData(nameof(RegressionSeeds))]
    public void RegressionSeed_KeepsEveryInvariant(string scenario, int seed) =>
        SeedRunner.RunBatch(SimulationOptions.Named(scenario), seed, 1, output);

    /// <summary>
    /// Seeds no run has tried before: a range drawn at random (or DFS_SIM_FRESH=n for a chosen start), printed
    /// first; a failure names its seed, and DFS_SIM_SEED replays it. DFS_SIM_SEEDS=n runs n seeds per scenario (the soak).
    /// </summary>
    [Theory]
    [MemberData(nameof(Scenarios))]
    public void FreshSeeds_KeepEveryInvariant(string scenario)
    {
        var options = SimulationOptions.Named(scenario);
        var count = SeedRunner.SeedsPerBatch(FreshSeedsPerScenario(options), 1);
        var firstSeed = SeedRunner.FreshFirstSeed(count);
        output.WriteLine($"fresh seeds {firstSeed}..{firstSeed + count - 1} ({scenario}); replay one with DFS_SIM_SEED=n, the range with DFS_SIM_FRESH={firstSeed}");
        RunSeeds(options, firstSeed, count);
    }

    // Sized to the fixed batches' cost per seed, so the fresh ranges add about a quarter to the simulation's time.
    private static int FreshSeedsPerScenario(SimulationOptions options) => options.InitialVoters > 0 ? 50 : options.NodeCount == 5 ? 75 : 175;

    private void RunScenario(SimulationOptions options, int baseSeed, int batch, int defaultSeedsPerBatch)
    {
        var count = SeedRunner.SeedsPerBatch(defaultSeedsPerBatch, Batches);
        RunSeeds(options, baseSeed + batch * count, count);
    }

    private void RunSeeds(SimulationOptions options, int firstSeed, int count)
    {
        var (totals, elapsed, runs) = SeedRunner.RunBatch(options, firstSeed, count, output);
        output.WriteLine($"{runs} seeds from {firstSeed} ({options.NodeCount} nodes) in {elapsed.TotalSeconds:F1}s: {totals}");
        if (SeedRunner.ReplaySeed is null)
        {
            // The faults must really have happened, or passing means nothing.
            Assert.True(totals.Crashes > 0 && totals.Partitions > 0, $"no crashes or partitions were injected: {totals}");
            Assert.True(totals.SnapshotsInstalled > 0, $"no snapshot was ever installed from a leader: {totals}");
            Assert.True(totals.LeaderConnectionsClosed > 0, $"no follower ever heard its leader's connection close: {totals}");
            Assert.True(totals.AcknowledgedWrites > runs * 10, $"clients barely got anything acknowledged: {totals}");
            Assert.True(totals.DuplicateAnswers > 0 && totals.SessionsExpired > 0, $"sessions were never exercised (no duplicate answered, no session expired): {totals}");
            // Both host orders ran, and the pipelined one really had several Readys in flight and coalesced fsyncs.
            Assert.True(totals.PipelinedRuns > 0 && totals.PipelinedRuns < runs, $"{totals.PipelinedRuns} of {runs} runs had a pipelined host: {totals}");
            Assert.True(totals.ReadiesTakenWhilePersisting > 0 && totals.CoalescedSyncs > 0, $"the pipelined host never overlapped Readys: {totals}");
        }
    }
}
