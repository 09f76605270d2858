using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Dfs.Raft.Tests.Simulation;

/// <summary>Runs batches of seeds and turns failures into one readable message; honours DFS_SIM_SEED and DFS_SIM_SEEDS.</summary>
internal static class SeedRunner
{
    /// <summary>A single seed to replay, from DFS_SIM_SEED, or null.</summary>
    public static int? ReplaySeed =>
        int.TryParse(Environment.GetEnvironmentVariable("DFS_SIM_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) ? seed : null;

    /// <summary>Seeds per batch: DFS_SIM_SEEDS divided over the batches when set (an opt-in soak), else <paramref name="defaultCount"/>.</summary>
    public static int SeedsPerBatch(int defaultCount, int batches) =>
        int.TryParse(Environment.GetEnvironmentVariable("DFS_SIM_SEEDS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var total) && total > 0
            ? Math.Max(1, total / batches)
            : defaultCount;

    /// <summary>
    /// The first seed of a fresh range of <paramref name="count"/> seeds: DFS_SIM_FRESH when set, else drawn at
    /// random above every fixed range (which all lie below 100,000,000).
    /// </summary>
    public static int FreshFirstSeed(int count) =>
        int.TryParse(Environment.GetEnvironmentVariable("DFS_SIM_FRESH"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var first) && first > 0
            ? first
            : Random.Shared.Next(100_000_000, int.MaxValue - count);

    public static (SimulationStats Totals, TimeSpan Elapsed, int Runs) RunBatch(SimulationOptions options, int firstSeed, int count,
        Xunit.Abstractions.ITestOutputHelper? output = null)
    {
        var seeds = ReplaySeed is { } replay ? [replay] : Enumerable.Range(firstSeed, count).ToArray();
        if (ReplaySeed is not null)
        {
            // A replay prints the whole trace; the digest, and so the run, does not depend on how much is kept.
            options = options with
            {
                TraceCapacity = 1_000_000,
                TraceMessages = string.Equals(Environment.GetEnvironmentVariable("DFS_SIM_TRACE"), "messages", StringComparison.Ordinal),
            };
        }
        var totals = new SimulationStats();
        var failures = new List<SimulationResult>();
        var watch = Stopwatch.StartNew();
        foreach (var seed in seeds)
        {
            var result = Simulation.Run(options, seed);
            totals.Add(result.Stats);
            if (ReplaySeed is not null)
            {
                output?.WriteLine(result.Describe());
            }
            if (!result.Passed)
            {
                failures.Add(result);
            }
        }
        watch.Stop();
        if (failures.Count > 0)
        {
            var message = new StringBuilder();
            message.AppendLine(CultureInfo.InvariantCulture,
                $"{failures.Count} of {seeds.Length} seeds failed ({options.NodeCount} nodes): {string.Join(", ", failures.Select(f => $"{f.Seed} ({f.Violations[0].Invariant})"))}");
            message.AppendLine(failures[0].Describe());
            Assert.Fail(message.ToString());
        }
        return (totals, watch.Elapsed, seeds.Length);
    }
}
