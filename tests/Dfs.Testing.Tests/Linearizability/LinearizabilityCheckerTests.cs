using Dfs.Testing.Linearizability;
using static Dfs.Testing.Tests.Linearizability.KvHistories;

namespace Dfs.Testing.Tests.Linearizability;

public sealed class LinearizabilityCheckerTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    private static LinearizabilityResult<KvInput, KvOutput> Check(params Operation<KvInput, KvOutput>[] history) =>
        LinearizabilityChecker.Check(KvModel.Instance, history, Budget);

    private static void AssertOk(params Operation<KvInput, KvOutput>[] history)
    {
        var result = Check(history);
        Assert.True(result.IsOk, result.Explanation);
    }

    private static LinearizabilityResult<KvInput, KvOutput> AssertIllegal(params Operation<KvInput, KvOutput>[] history)
    {
        var result = Check(history);
        Assert.True(result.Outcome == LinearizabilityOutcome.Illegal, $"expected Illegal; got {result}");
        return result;
    }

    [Fact]
    public void EmptyHistory_IsLinearizable()
    {
        AssertOk();
    }

    [Fact]
    public void SequentialPutThenGet_IsLinearizable()
    {
        AssertOk(
            Put(0, "x", "1", 0, 10),
            Get(1, "x", "1", 20, 30));
    }

    [Fact]
    public void GetOfAbsentKey_ReturnsAbsent_AndAnyOtherValueIsIllegal()
    {
        AssertOk(Get(0, "x", null, 0, 10));
        AssertIllegal(Get(0, "x", "1", 0, 10));
    }

    [Fact]
    public void ReadOverlappingAWrite_MaySeeEitherTheOldOrTheNewValue()
    {
        AssertOk(Put(0, "x", "1", 0, 10), Put(0, "x", "2", 20, 30), Get(1, "x", "1", 25, 40));
        AssertOk(Put(0, "x", "1", 0, 10), Put(0, "x", "2", 20, 30), Get(1, "x", "2", 25, 40));
    }

    [Fact]
    public void ReadAfterTwoConcurrentWrites_MaySeeEither_ButTwoLaterReadsMustAgree()
    {
        AssertOk(Put(0, "x", "a", 0, 10), Put(1, "x", "b", 2, 12), Get(2, "x", "a", 20, 30));
        AssertOk(Put(0, "x", "a", 0, 10), Put(1, "x", "b", 2, 12), Get(2, "x", "b", 20, 30));
        AssertIllegal(Put(0, "x", "a", 0, 10), Put(1, "x", "b", 2, 12), Get(2, "x", "a", 20, 30), Get(2, "x", "b", 40, 50));
    }

    [Fact]
    public void ConcurrentReads_MayObserveAWriteInDifferentOrder_OnlyIfTheyOverlap()
    {
        // A read that saw the new value and a later read (started after it returned) that saw the old one: a flip-flop.
        AssertIllegal(Put(0, "x", "1", 0, 10), Put(0, "x", "2", 20, 100), Get(1, "x", "2", 30, 40), Get(2, "x", "1", 50, 60));

        // The same two reads overlapping each other: the old-value read may be ordered first.
        AssertOk(Put(0, "x", "1", 0, 10), Put(0, "x", "2", 20, 100), Get(1, "x", "2", 30, 60), Get(2, "x", "1", 50, 70));
    }

    [Fact]
    public void OperationsThatTouchAtOneInstant_CountAsConcurrent()
    {
        AssertOk(Put(0, "x", "1", 0, 10), Get(1, "x", null, 10, 20));
        AssertIllegal(Put(0, "x", "1", 0, 10), Get(1, "x", null, 11, 20));
    }

    [Fact]
    public void IndeterminateWrite_ThatTookEffect_IsLinearizable()
    {
        AssertOk(Lost(0, KvInput.Put("x", "1"), 0), Get(1, "x", "1", 20, 30));
    }

    [Fact]
    public void IndeterminateWrite_ThatNeverTookEffect_IsLinearizable()
    {
        AssertOk(Lost(0, KvInput.Put("x", "1"), 0), Get(1, "x", null, 20, 30), Get(1, "x", null, 40, 50));
    }

    [Fact]
    public void IndeterminateWrite_MayTakeEffectLongAfterItsCall_ButOnlyOnce()
    {
        AssertOk(Lost(0, KvInput.Put("x", "1"), 0), Get(1, "x", null, 20, 30), Get(1, "x", "1", 40, 50));
        AssertIllegal(Lost(0, KvInput.Put("x", "1"), 0), Get(1, "x", "1", 20, 30), Get(1, "x", null, 40, 50));
    }

    [Fact]
    public void IndeterminateWrite_CannotTakeEffectBeforeItWasCalled()
    {
        AssertIllegal(Get(1, "x", "1", 0, 10), Lost(0, KvInput.Put("x", "1"), 20));
    }

    [Fact]
    public void IndeterminateRead_ConstrainsNothing()
    {
        AssertOk(Put(0, "x", "1", 0, 10), Lost(1, KvInput.Get("x"), 5), Get(2, "x", "1", 20, 30));
    }

    [Fact]
    public void CompareAndSwap_OnlyOneOfTwoConcurrentCreatesSucceeds()
    {
        AssertOk(Cas(0, "x", null, "a", true, 0, 10), Cas(1, "x", null, "b", false, 0, 10), Get(2, "x", "a", 20, 30));
        AssertIllegal(Cas(0, "x", null, "a", true, 0, 10), Cas(1, "x", null, "b", true, 0, 10));
        AssertIllegal(Cas(0, "x", null, "a", true, 0, 10), Cas(1, "x", null, "b", false, 0, 10), Get(2, "x", "b", 20, 30));
    }

    [Fact]
    public void IndeterminateCompareAndSwap_SwapsOnlyIfTheExpectedValueWasThere()
    {
        AssertOk(Put(0, "x", "a", 0, 10), Lost(1, KvInput.CompareAndSwap("x", "a", "b"), 20), Get(2, "x", "b", 40, 50));
        AssertIllegal(Put(0, "x", "z", 0, 10), Lost(1, KvInput.CompareAndSwap("x", "a", "b"), 20), Get(2, "x", "b", 40, 50));
    }

    [Fact]
    public void Delete_MakesKeyAbsent()
    {
        AssertOk(Put(0, "x", "1", 0, 10), Delete(0, "x", 20, 30), Get(1, "x", null, 40, 50));
        AssertIllegal(Put(0, "x", "1", 0, 10), Delete(0, "x", 20, 30), Get(1, "x", "1", 40, 50));
    }

    [Fact]
    public void StaleRead_AfterALaterWriteCompleted_IsIllegal_AndExplained()
    {
        var result = AssertIllegal(
            Put(0, "x", "1", 0, 10),
            Put(0, "x", "2", 20, 30),
            Get(1, "x", "1", 40, 50));

        Assert.Equal(2, result.LongestPrefix.Count);
        Assert.Equal(KvInput.Get("x"), result.Unplaced!.Input);
        Assert.Contains("get(x) -> \"1\"", result.Explanation, StringComparison.Ordinal);
        Assert.Contains("impossible in state \"2\"", result.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void LostWrite_AcknowledgedButNeverVisible_IsIllegal()
    {
        var result = AssertIllegal(
            Put(0, "x", "1", 0, 10),
            Get(1, "x", "1", 15, 18),
            Put(0, "x", "2", 20, 30),
            Get(1, "x", "1", 40, 50),
            Get(2, "x", "1", 60, 70));

        Assert.Equal(KvInput.Get("x"), result.Unplaced!.Input);
        Assert.Equal(40, result.Unplaced.CallTime);
    }

    [Fact]
    public void ReadOfAValueNeverWritten_IsIllegal()
    {
        var result = AssertIllegal(
            Put(0, "x", "1", 0, 10),
            Put(1, "x", "2", 5, 15),
            Get(2, "x", "3", 8, 30));

        Assert.Equal("3", result.Unplaced!.Output.Value);
    }

    [Fact]
    public void ViolationInOneKey_AmongManyLegalKeys_NamesThatPartition()
    {
        var history = new List<Operation<KvInput, KvOutput>>();
        for (var k = 0; k < 20; k++)
        {
            history.Add(Put(k, $"k{k}", "1", 0, 10));
            history.Add(Get(k, $"k{k}", k == 13 ? null : "1", 20, 30));
        }

        var result = LinearizabilityChecker.Check(KvModel.Instance, history, Budget);

        Assert.Equal(LinearizabilityOutcome.Illegal, result.Outcome);
        Assert.Equal(20, result.PartitionCount);
        Assert.Equal("k13", result.Unplaced!.Input.Key);
        Assert.Contains("partition 13 of 20", result.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void OperationReturningBeforeItsCall_IsRejectedAsBadInput()
    {
        Assert.Throws<ArgumentException>(() => Check(Put(0, "x", "1", 10, 5)));
    }

    [Fact]
    public void PathologicalHistory_WithinATinyBudget_IsUnknown_NotAVerdict()
    {
        // Thirty concurrent writes and a read of a value none of them wrote: proving it illegal means trying
        // every subset of the writes, which is far beyond the budget.
        var history = new List<Operation<KvInput, KvOutput>>();
        for (var i = 0; i < 30; i++)
        {
            history.Add(Put(i, "x", $"v{i}", 0, 1000));
        }

        history.Add(Get(99, "x", "never", 500, 600));

        var result = LinearizabilityChecker.Check(KvModel.Instance, history, TimeSpan.FromMilliseconds(100));

        Assert.Equal(LinearizabilityOutcome.Unknown, result.Outcome);
        Assert.Contains("budget", result.Explanation, StringComparison.Ordinal);
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(5), $"the search stops soon after its budget; it took {result.Elapsed}");
    }

    [Fact]
    public void CancelledCheck_IsUnknown()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var history = new List<Operation<KvInput, KvOutput>>();
        for (var i = 0; i < 30; i++)
        {
            history.Add(Put(i, "x", $"v{i}", 0, 1000));
        }

        history.Add(Get(99, "x", "never", 500, 600));

        var result = LinearizabilityChecker.Check(KvModel.Instance, history, Budget, cts.Token);

        Assert.Equal(LinearizabilityOutcome.Unknown, result.Outcome);
        Assert.Contains("cancelled", result.Explanation, StringComparison.Ordinal);
    }
}
