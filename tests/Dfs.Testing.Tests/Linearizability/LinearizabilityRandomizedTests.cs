using System.Diagnostics;
using Dfs.Testing.Linearizability;
using Xunit.Abstractions;

namespace Dfs.Testing.Tests.Linearizability;

public sealed class LinearizabilityRandomizedTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    [Fact]
    public void HistoriesFromSequentialExecutions_AreAccepted()
    {
        for (var seed = 0; seed < 300; seed++)
        {
            var random = new Random(seed);
            var history = KvHistories.FromSequentialExecution(random, count: random.Next(1, 60), keyCount: random.Next(1, 4), clientCount: 5, maxStretch: random.Next(0, 12), indeterminateRate: 0.1);

            var result = LinearizabilityChecker.Check(KvModel.Instance, history, Budget);

            Assert.True(result.IsOk, $"seed {seed}: {result}\n{string.Join('\n', history)}");
        }
    }

    [Fact]
    public void HistoriesFromSequentialExecutions_WithOneReadChangedToAnUnwrittenValue_AreRejected()
    {
        var checkedCount = 0;
        for (var seed = 0; seed < 300; seed++)
        {
            var random = new Random(seed);
            var history = KvHistories.FromSequentialExecution(random, count: random.Next(2, 60), keyCount: random.Next(1, 4), clientCount: 5, maxStretch: random.Next(0, 12), indeterminateRate: 0.1);
            var reads = Enumerable.Range(0, history.Count)
                .Where(i => history[i].Input.Kind == KvOperationKind.Get && !history[i].IsIndeterminate)
                .ToList();
            if (reads.Count == 0)
            {
                continue;
            }

            var victim = reads[random.Next(reads.Count)];
            history[victim] = history[victim] with { Output = KvOutput.Read("never-written") };

            var result = LinearizabilityChecker.Check(KvModel.Instance, history, Budget);

            Assert.True(result.Outcome == LinearizabilityOutcome.Illegal, $"seed {seed}: expected Illegal; got {result}");
            Assert.Equal("never-written", result.Unplaced!.Output.Value);
            checkedCount++;
        }

        Assert.True(checkedCount > 200, $"enough histories had a read to mutate: {checkedCount}");
    }

    [Fact]
    public void SmallSequentialHistories_WithOneReadChangedToAnotherWrittenValue_AgreeWithBruteForce()
    {
        var illegal = 0;
        var legal = 0;
        for (var seed = 0; seed < 1500; seed++)
        {
            var random = new Random(seed);
            var history = KvHistories.FromSequentialExecution(random, count: random.Next(2, 8), keyCount: random.Next(1, 3), clientCount: 3, maxStretch: random.Next(0, 6), indeterminateRate: 0.15);
            var reads = Enumerable.Range(0, history.Count)
                .Where(i => history[i].Input.Kind == KvOperationKind.Get && !history[i].IsIndeterminate)
                .ToList();
            if (reads.Count == 0)
            {
                continue;
            }

            var victim = reads[random.Next(reads.Count)];
            var written = history
                .Where(o => o.Input.Key == history[victim].Input.Key && o.Input.Value is not null)
                .Select(o => o.Input.Value)
                .Append(null)
                .Where(v => v != history[victim].Output.Value)
                .ToList();
            if (written.Count == 0)
            {
                continue;
            }

            history[victim] = history[victim] with { Output = KvOutput.Read(written[random.Next(written.Count)]) };

            var expected = BruteForceLinearizability.IsLinearizable(history);
            var result = LinearizabilityChecker.Check(KvModel.Instance, history, Budget);

            Assert.True(expected == result.IsOk, $"seed {seed}: brute force says {(expected ? "linearizable" : "not linearizable")}; checker: {result}\n{string.Join('\n', history)}");
            _ = expected ? legal++ : illegal++;
        }

        output.WriteLine($"mutated histories: {legal} still linearizable, {illegal} not");
        Assert.True(illegal > 100, $"enough mutations break linearizability to test rejection: {illegal}");
        Assert.True(legal > 20, $"enough mutations stay linearizable to test acceptance: {legal}");
    }

    [Fact]
    public void SmallRandomHistories_AgreeWithBruteForce()
    {
        var illegal = 0;
        var legal = 0;
        var bruteForceTime = TimeSpan.Zero;
        var checkerTime = TimeSpan.Zero;
        for (var seed = 0; seed < 3000; seed++)
        {
            var random = new Random(seed);
            var history = KvHistories.Random(random, count: random.Next(1, 8), keyCount: random.Next(1, 3));

            var started = Stopwatch.GetTimestamp();
            var expected = BruteForceLinearizability.IsLinearizable(history);
            bruteForceTime += Stopwatch.GetElapsedTime(started);
            started = Stopwatch.GetTimestamp();
            var result = LinearizabilityChecker.Check(KvModel.Instance, history, Budget);
            checkerTime += Stopwatch.GetElapsedTime(started);

            Assert.True(expected == result.IsOk, $"seed {seed}: brute force says {(expected ? "linearizable" : "not linearizable")}; checker: {result}\n{string.Join('\n', history)}");
            _ = expected ? legal++ : illegal++;
        }

        output.WriteLine($"random histories: {legal} linearizable, {illegal} not; checker {checkerTime.TotalMilliseconds:F0} ms, brute force {bruteForceTime.TotalMilliseconds:F0} ms");
        Assert.True(illegal > 300 && legal > 300, $"both verdicts are exercised: {legal} linearizable, {illegal} not");
    }

    [Fact]
    public void SmallRandomHistories_WithManyIndeterminateOperations_AgreeWithBruteForce()
    {
        var illegal = 0;
        var legal = 0;
        for (var seed = 0; seed < 2000; seed++)
        {
            var random = new Random(seed);
            var history = KvHistories.Random(random, count: random.Next(2, 8), keyCount: 1, indeterminateOneIn: 3);

            var expected = BruteForceLinearizability.IsLinearizable(history);
            var result = LinearizabilityChecker.Check(KvModel.Instance, history, Budget);

            Assert.True(expected == result.IsOk, $"seed {seed}: brute force says {(expected ? "linearizable" : "not linearizable")}; checker: {result}\n{string.Join('\n', history)}");
            _ = expected ? legal++ : illegal++;
        }

        output.WriteLine($"random histories with many indeterminate operations: {legal} linearizable, {illegal} not");
        Assert.True(illegal > 200 && legal > 200, $"both verdicts are exercised: {legal} linearizable, {illegal} not");
    }

    [Fact]
    public void TenThousandOperationsOverOneHundredKeys_CheckInWellUnderASecondOrTwo()
    {
        var random = new Random(2026);
        var history = KvHistories.FromSequentialExecution(random, count: 10_000, keyCount: 100, clientCount: 50, maxStretch: 150, indeterminateRate: 0.02);
        var concurrency = MaxConcurrency(history);

        var stopwatch = Stopwatch.StartNew();
        var result = LinearizabilityChecker.Check(KvModel.Instance, history, TimeSpan.FromSeconds(30));
        stopwatch.Stop();

        output.WriteLine($"10,000 ops, 100 keys, max concurrency {concurrency}: {result.Outcome} in {stopwatch.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(result.IsOk, result.Explanation);
        Assert.True(concurrency >= 20, $"the history is really concurrent: at most {concurrency} operations overlap");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3), $"expected well under a few seconds; took {stopwatch.Elapsed}");
    }

    [Fact]
    public void TenThousandOperationsOverOneHundredKeys_WithOneStaleRead_IsRejectedQuickly()
    {
        var random = new Random(7);
        var history = KvHistories.FromSequentialExecution(random, count: 10_000, keyCount: 100, clientCount: 50, maxStretch: 150, indeterminateRate: 0.02);
        var lastCall = history.Max(o => o.CallTime);
        history.Add(KvHistories.Put(1, "k5", "old", lastCall + 1_000, lastCall + 1_010));
        history.Add(KvHistories.Put(1, "k5", "fresh", lastCall + 2_000, lastCall + 2_010));
        history.Add(KvHistories.Get(2, "k5", "old", lastCall + 3_000, lastCall + 3_010));

        var stopwatch = Stopwatch.StartNew();
        var result = LinearizabilityChecker.Check(KvModel.Instance, history, TimeSpan.FromSeconds(30));
        stopwatch.Stop();

        output.WriteLine($"10,000 ops with a stale read: {result.Outcome} in {stopwatch.Elapsed.TotalMilliseconds:F0} ms");
        output.WriteLine(result.Explanation);
        Assert.Equal(LinearizabilityOutcome.Illegal, result.Outcome);
        Assert.Equal("old", result.Unplaced!.Output.Value);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3), $"expected well under a few seconds; took {stopwatch.Elapsed}");
    }

    [Fact]
    public void TwoThousandOperationsOnOneHotKey_WithTwentyConcurrentClients_CheckQuickly()
    {
        var random = new Random(11);
        var history = KvHistories.FromSequentialExecution(random, count: 2_000, keyCount: 1, clientCount: 20, maxStretch: 20, indeterminateRate: 0.01);
        var concurrency = MaxConcurrency(history.Where(o => !o.IsIndeterminate).ToList());

        var stopwatch = Stopwatch.StartNew();
        var result = LinearizabilityChecker.Check(KvModel.Instance, history, TimeSpan.FromSeconds(30));
        stopwatch.Stop();

        output.WriteLine($"2,000 ops on one key, max concurrency {concurrency} (plus {history.Count(o => o.IsIndeterminate)} indeterminate): {result.Outcome} in {stopwatch.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(result.IsOk, result.Explanation);
        Assert.True(concurrency >= 10, $"the history is really concurrent: at most {concurrency} operations overlap");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3), $"expected well under a few seconds; took {stopwatch.Elapsed}");
    }

    private static int MaxConcurrency(IReadOnlyList<Operation<KvInput, KvOutput>> history)
    {
        var events = history
            .SelectMany(o => new[] { (o.CallTime, 1), (o.ReturnTime, -1) })
            .OrderBy(e => e.Item1)
            .ThenByDescending(e => e.Item2);
        int open = 0, max = 0;
        foreach (var (_, delta) in events)
        {
            open += delta;
            max = Math.Max(max, open);
        }

        return max;
    }
}
