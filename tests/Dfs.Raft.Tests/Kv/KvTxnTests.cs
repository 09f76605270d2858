using Dfs.Client.Kv;
using static Dfs.Raft.Tests.Kv.KvTestMachine;

namespace Dfs.Raft.Tests.Kv;

public sealed class KvTxnTests : IDisposable
{
    private readonly KvTestMachine _kv = new();

    public KvTxnTests()
    {
        _kv.Put("a", "m");     // rev 1
        _kv.Put("b", "x");     // rev 2
        _kv.Put("a", "m");     // rev 3: a has create 1, mod 3, version 2
    }

    public void Dispose() => _kv.Dispose();

    public static TheoryData<string, KvCompareOperator, string, bool> ValueCases => new()
    {
        { "a", KvCompareOperator.Equal, "m", true },
        { "a", KvCompareOperator.Equal, "n", false },
        { "a", KvCompareOperator.NotEqual, "n", true },
        { "a", KvCompareOperator.NotEqual, "m", false },
        { "a", KvCompareOperator.Less, "n", true },
        { "a", KvCompareOperator.Less, "m", false },
        { "a", KvCompareOperator.Greater, "l", true },
        { "a", KvCompareOperator.Greater, "mm", false },
        { "missing", KvCompareOperator.Equal, "", false },
        { "missing", KvCompareOperator.NotEqual, "m", false },
    };

    [Theory]
    [MemberData(nameof(ValueCases))]
    public void ValueCompare_ChoosesTheBranchByOrdinalValueOrder(string key, KvCompareOperator op, string operand, bool expected)
    {
        var result = _kv.Txn([KvCompare.ValueIs(B(key), op, B(operand))], [KvOp.Put(B("ok"), B("s"))], [KvOp.Put(B("ok"), B("f"))]);

        Assert.Equal(expected, result.Succeeded);
        Assert.Equal(expected ? "s" : "f", _kv.Value("ok"));
    }

    public static TheoryData<KvCompareTarget, KvCompareOperator, long, bool> NumberCases => new()
    {
        { KvCompareTarget.ModRevision, KvCompareOperator.Equal, 3, true },
        { KvCompareTarget.ModRevision, KvCompareOperator.Equal, 1, false },
        { KvCompareTarget.ModRevision, KvCompareOperator.Less, 4, true },
        { KvCompareTarget.ModRevision, KvCompareOperator.Greater, 3, false },
        { KvCompareTarget.CreateRevision, KvCompareOperator.Equal, 1, true },
        { KvCompareTarget.CreateRevision, KvCompareOperator.NotEqual, 1, false },
        { KvCompareTarget.CreateRevision, KvCompareOperator.Greater, 0, true },
        { KvCompareTarget.Version, KvCompareOperator.Equal, 2, true },
        { KvCompareTarget.Version, KvCompareOperator.Less, 2, false },
        { KvCompareTarget.Version, KvCompareOperator.Greater, 1, true },
    };

    [Theory]
    [MemberData(nameof(NumberCases))]
    public void RevisionAndVersionCompares_ChooseTheBranchByTheKeysNumbers(KvCompareTarget target, KvCompareOperator op, long operand, bool expected)
    {
        var compare = new KvCompare(B("a"), target, op, operand, default);

        var result = _kv.Txn([compare], [KvOp.Put(B("ok"), B("s"))], [KvOp.Put(B("ok"), B("f"))]);

        Assert.Equal(expected, result.Succeeded);
        Assert.Equal(expected ? "s" : "f", _kv.Value("ok"));
    }

    [Fact]
    public void RevisionCompares_OnAnAbsentKey_SeeZero()
    {
        var result = _kv.Txn(
            [
                KvCompare.CreateRevisionIs(B("missing"), KvCompareOperator.Equal, 0),
                KvCompare.ModRevisionIs(B("missing"), KvCompareOperator.Equal, 0),
                KvCompare.VersionIs(B("missing"), KvCompareOperator.Equal, 0),
            ],
            [KvOp.Put(B("ok"), B("s"))]);

        Assert.True(result.Succeeded);
    }

    [Fact]
    public void ExistenceCompares_HoldOnlyForTheMatchingState()
    {
        Assert.True(_kv.Txn([KvCompare.Exists(B("a"))], []).Succeeded);
        Assert.False(_kv.Txn([KvCompare.Exists(B("missing"))], []).Succeeded);
        Assert.True(_kv.Txn([KvCompare.Missing(B("missing"))], []).Succeeded);
        Assert.False(_kv.Txn([KvCompare.Missing(B("a"))], []).Succeeded);
    }

    [Fact]
    public void OneFailingCompare_RunsTheFailureBranch()
    {
        var result = _kv.Txn(
            [KvCompare.Exists(B("a")), KvCompare.ValueIs(B("b"), KvCompareOperator.Equal, B("not-x"))],
            [KvOp.Put(B("s"), B("1"))],
            [KvOp.Get(B("b"))]);

        Assert.False(result.Succeeded);
        Assert.Null(_kv.Get("s"));
        Assert.Equal("x", S(Assert.Single(Assert.Single(result.Responses).Items).Value));
        Assert.Equal(3, result.Revision);
    }

    [Fact]
    public void SuccessBranch_WithSeveralWrites_AdvancesTheRevisionOnce_AndStampsEveryKeyWithIt()
    {
        var result = _kv.Txn(
            [KvCompare.ModRevisionIs(B("a"), KvCompareOperator.Equal, 3)],
            [KvOp.Put(B("a"), B("n")), KvOp.Put(B("c"), B("new")), KvOp.Delete(B("b"))]);

        Assert.True(result.Succeeded);
        Assert.Equal(4, result.Revision);
        Assert.Equal(4, _kv.Machine.Revision);
        Assert.Equal(4, _kv.Get("a")!.ModRevision);
        Assert.Equal(4, _kv.Get("c")!.CreateRevision);
        Assert.Null(_kv.Get("b"));
        Assert.Equal(1, result.Responses[2].Deleted);
    }

    [Fact]
    public void ReadOnlyTxn_DoesNotAdvanceTheRevision()
    {
        var result = _kv.Txn([KvCompare.Exists(B("a"))], [KvOp.Get(B("a")), KvOp.Prefix(B(""))]);

        Assert.Equal(3, result.Revision);
        Assert.Equal(3, _kv.Machine.Revision);
        Assert.Equal(2, result.Responses[1].Items.Count);
    }

    [Fact]
    public void ReadsInsideTxn_SeeEarlierWritesOfTheSameTxn()
    {
        var result = _kv.Txn([], [KvOp.Put(B("n"), B("1")), KvOp.Get(B("n")), KvOp.Delete(B("a")), KvOp.Get(B("a"))]);

        Assert.Equal("1", S(Assert.Single(result.Responses[1].Items).Value));
        Assert.Empty(result.Responses[3].Items);
    }

    [Fact]
    public void TxnWithPutOnMissingLease_ChangesNothingAtAll()
    {
        var result = _kv.Txn([], [KvOp.Put(B("first"), B("1")), KvOp.Delete(B("a")), KvOp.Put(B("second"), B("2"), leaseId: 42)]);

        Assert.Equal(KvStatus.LeaseNotFound, result.Status);
        Assert.Null(_kv.Get("first"));
        Assert.Equal("m", _kv.Value("a"));
        Assert.Equal(3, _kv.Machine.Revision);
    }

    [Fact]
    public void CompareAndSwap_OnlyTheFirstOfTwoWritersWithTheSameRevisionWins()
    {
        var seen = _kv.Get("a")!.ModRevision;

        var first = _kv.Txn([KvCompare.ModRevisionIs(B("a"), KvCompareOperator.Equal, seen)], [KvOp.Put(B("a"), B("w1"))]);
        var second = _kv.Txn([KvCompare.ModRevisionIs(B("a"), KvCompareOperator.Equal, seen)], [KvOp.Put(B("a"), B("w2"))]);

        Assert.True(first.Succeeded);
        Assert.False(second.Succeeded);
        Assert.Equal("w1", _kv.Value("a"));
    }
}
