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

    private void RunScenario(SimulationOptions options, int baseSeed, int batch, int defaultSeedsPerBatch)
    {
        var count = SeedRunner.SeedsPerBatch(defaultSeedsPerBatch, Batches);
        var firstSeed = baseSeed + batch * count;
        var (totals, elapsed, runs) = SeedRunner.RunBatch(options, firstSeed, count, output);
        output.WriteLine($"{runs} seeds from {firstSeed} ({options.NodeCount} nodes) in {elapsed.TotalSeconds:F1}s: {totals}");
        if (SeedRunner.ReplaySeed is null)
        {
            // The faults must really have happened, or passing means nothing.
            Assert.True(totals.Crashes > 0 && totals.Partitions > 0, $"no crashes or partitions were injected: {totals}");
            Assert.True(totals.SnapshotsInstalled > 0, $"no snapshot was ever installed from a leader: {totals}");
            Assert.True(totals.AcknowledgedWrites > runs * 10, $"clients barely got anything acknowledged: {totals}");
            Assert.True(totals.DuplicateAnswers > 0 && totals.SessionsExpired > 0, $"sessions were never exercised (no duplicate answered, no session expired): {totals}");
            // Both host orders ran, and the pipelined one really had several Readys in flight and coalesced fsyncs.
            Assert.True(totals.PipelinedRuns > 0 && totals.PipelinedRuns < runs, $"{totals.PipelinedRuns} of {runs} runs had a pipelined host: {totals}");
            Assert.True(totals.ReadiesTakenWhilePersisting > 0 && totals.CoalescedSyncs > 0, $"the pipelined host never overlapped Readys: {totals}");
        }
    }
}
