using Dfs.Testing.Linearizability;
using Dfs.Testing.Nemesis;

namespace Dfs.Nemesis.Tests;

/// <summary>The nemesis checks catch what they are meant to catch, on small made-up histories.</summary>
public sealed class NemesisCheckTests
{
    private static readonly Action<string> Quiet = _ => { };

    [Fact]
    public void Check_ReadOfOverwrittenValueAfterTheOverwriteReturned_IsNotLinearizable()
    {
        HistoryLine[] lines =
        [
            new(1, "write", 0, 0, "aaaa", 0, 10, "ok"),
            new(1, "write", 0, 0, "bbbb", 20, 30, "ok"),
            new(2, "read", 0, 0, "aaaa", 40, 50, "ok"),
        ];

        var (_, violations) = NemesisRun.Check(lines, [], Quiet);

        Assert.Contains(violations, v => v.StartsWith("not linearizable", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_RenameMovesTheValue_ReadsOfBothPathsAfterIt_AreLinearizable()
    {
        HistoryLine[] lines =
        [
            new(1, "write", 0, 0, "aaaa", 0, 10, "ok"),
            new(1, "rename", 0, 0, null, 20, 30, "ok"),
            new(2, "read", 0, 1, "aaaa", 40, 50, "ok"),
            new(2, "read", 0, 0, null, 60, 70, "absent"),
            new(3, "delete", 0, 0, null, 80, 90, "absent"),
        ];

        var (inconclusive, violations) = NemesisRun.Check(lines, [], Quiet);

        Assert.Empty(violations);
        Assert.Null(inconclusive);
    }

    [Fact]
    public void Check_SourceStillReadableAfterRenameReturned_IsNotLinearizable()
    {
        HistoryLine[] lines =
        [
            new(1, "write", 0, 0, "aaaa", 0, 10, "ok"),
            new(1, "rename", 0, 0, null, 20, 30, "ok"),
            new(2, "read", 0, 0, "aaaa", 40, 50, "ok"),
        ];

        var (_, violations) = NemesisRun.Check(lines, [], Quiet);

        Assert.Contains(violations, v => v.StartsWith("not linearizable", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_UnknownWrite_MayTakeEffectLate_OrNever()
    {
        HistoryLine[] lines =
        [
            new(1, "write", 0, 0, "aaaa", 0, 10, "ok"),
            new(1, "write", 0, 0, "bbbb", 20, null, "unknown"),
            new(2, "read", 0, 0, "aaaa", 40, 50, "ok"),
            new(2, "read", 0, 0, "bbbb", 60, 70, "ok"),
        ];

        var (_, violations) = NemesisRun.Check(lines, [], Quiet);

        Assert.Empty(violations);
    }

    [Fact]
    public void Check_ReadOfBytesNobodyWrote_IsReportedAsCorrupt()
    {
        HistoryLine[] lines =
        [
            new(1, "write", 0, 0, "aaaa", 0, 10, "ok"),
            new(2, "read", 1, 0, "dead", 40, 50, "ok"),
        ];

        var (_, violations) = NemesisRun.Check(lines, [], Quiet);

        Assert.Contains(violations, v => v.StartsWith("corrupt bytes served", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_TwoMastersLeadingInOneTerm_IsReported_ButLeadersOfDifferentTermsAreNot()
    {
        LeaderObservation[] split = [new(1, "m1", 5, "Leader", "m1"), new(2, "m2", 5, "Leader", "m2")];
        LeaderObservation[] handover = [new(1, "m1", 5, "Leader", "m1"), new(2, "m2", 6, "Leader", "m2"), new(3, "m1", 5, "Leader", "m1")];

        var (_, splitViolations) = NemesisRun.Check([], split, Quiet);
        var (_, handoverViolations) = NemesisRun.Check([], handover, Quiet);

        Assert.Contains(splitViolations, v => v.StartsWith("two leaders in one term: term 5", StringComparison.Ordinal));
        Assert.Empty(handoverViolations);
    }
}
