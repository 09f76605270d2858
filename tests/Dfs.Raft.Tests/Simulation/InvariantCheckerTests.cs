using System.Text;
using Dfs.Raft.Consensus;

namespace Dfs.Raft.Tests.Simulation;

/// <summary>The checkers have teeth: hand-made histories that break each invariant are reported, and sound ones are not.</summary>
public sealed class InvariantCheckerTests
{
    private static LogEntry Command(long index, long term, string text) => new(term, index, EntryKind.Command, Encoding.UTF8.GetBytes(text));

    private static void AssertOnly(InvariantChecker checker, string invariant)
    {
        Assert.True(checker.Failed, $"expected a {invariant} violation, saw none");
        Assert.All(checker.Violations, v => Assert.Equal(invariant, v.Invariant));
    }

    [Fact]
    public void TwoLeadersInOneTerm_AreReported()
    {
        var checker = new InvariantChecker();
        checker.ObserveLeader("n1", 3);
        checker.ObserveLeader("n1", 3);
        checker.ObserveLeader("n2", 4);
        Assert.False(checker.Failed);

        checker.ObserveLeader("n3", 3);

        AssertOnly(checker, InvariantChecker.ElectionSafety);
        Assert.Contains("two leaders in term 3: n1 and n3", checker.Violations[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void DivergentApplication_AtOneIndex_IsReported()
    {
        var checker = new InvariantChecker();
        checker.ObserveApplied("n1", Command(1, 1, "x"));
        checker.ObserveApplied("n2", Command(1, 1, "x"));
        Assert.False(checker.Failed);

        checker.ObserveApplied("n3", Command(1, 1, "y"));

        AssertOnly(checker, InvariantChecker.StateMachineSafety);
    }

    [Fact]
    public void TwoLeaders_CommittingDifferentEntriesAtOneIndex_AreReported()
    {
        var checker = new InvariantChecker();
        checker.ObserveLeaderCommit("n1", 2, [Command(1, 1, "x"), Command(2, 2, "y")]);
        checker.ObserveLeaderCommit("n2", 3, [Command(2, 2, "y")]);
        Assert.False(checker.Failed);

        checker.ObserveLeaderCommit("n3", 4, [Command(2, 3, "z")]);

        AssertOnly(checker, InvariantChecker.StateMachineSafety);
    }

    [Fact]
    public void SkippedOrRepeatedApplication_IsReported()
    {
        var skipped = new InvariantChecker();
        skipped.ObserveApplied("n1", Command(1, 1, "x"));
        skipped.ObserveApplied("n1", Command(3, 1, "z"));
        AssertOnly(skipped, InvariantChecker.ApplyOrder);

        var repeated = new InvariantChecker();
        repeated.ObserveStateMachineReset("n1", 5, fromReceivedSnapshot: false);
        repeated.ObserveApplied("n1", Command(5, 1, "again"));
        AssertOnly(repeated, InvariantChecker.ApplyOrder);

        var rolledBack = new InvariantChecker();
        rolledBack.ObserveApplied("n1", Command(1, 1, "x"));
        rolledBack.ObserveApplied("n1", Command(2, 1, "y"));
        rolledBack.ObserveStateMachineReset("n1", 1, fromReceivedSnapshot: true);
        AssertOnly(rolledBack, InvariantChecker.ApplyOrder);
    }

    [Fact]
    public void LeaderMissingAnEntryCommittedInAnEarlierTerm_IsReported()
    {
        var checker = new InvariantChecker();
        checker.ObserveLeaderCommit("n1", 2, [Command(1, 1, "x"), Command(2, 2, "y")]);

        // A stale leader of the same term may lack nothing it committed itself, and a later one that has it is fine.
        checker.CheckLeaderCompleteness("n2", 3, 1, [Command(1, 1, "x"), Command(2, 2, "y"), Command(3, 3, "noop")]);
        // A leader of an older term is not bound by it.
        checker.CheckLeaderCompleteness("n3", 1, 1, [Command(1, 1, "x")]);
        Assert.False(checker.Failed);

        checker.CheckLeaderCompleteness("n3", 4, 1, [Command(1, 1, "x"), Command(2, 3, "other")]);
        AssertOnly(checker, InvariantChecker.LeaderCompleteness);

        var shortLog = new InvariantChecker();
        shortLog.ObserveLeaderCommit("n1", 2, [Command(1, 1, "x"), Command(2, 2, "y")]);
        shortLog.CheckLeaderCompleteness("n2", 5, 1, [Command(1, 1, "x")]);
        AssertOnly(shortLog, InvariantChecker.LeaderCompleteness);
    }

    [Fact]
    public void LogsAgreeingOnAnEntryButDifferingBelowIt_AreReported()
    {
        var checker = new InvariantChecker();
        var sound = new Dictionary<string, (long, IReadOnlyList<LogEntry>)>
        {
            // Divergent uncommitted tails are allowed; so are different starting points (compaction).
            ["n1"] = (1, [Command(1, 1, "a"), Command(2, 1, "b"), Command(3, 2, "c")]),
            ["n2"] = (2, [Command(2, 1, "b"), Command(3, 3, "d"), Command(4, 3, "e")]),
        };
        checker.CheckLogMatching(sound);
        Assert.False(checker.Failed);

        var broken = new Dictionary<string, (long, IReadOnlyList<LogEntry>)>
        {
            ["n1"] = (1, [Command(1, 1, "a"), Command(2, 1, "b"), Command(3, 2, "c")]),
            ["n2"] = (1, [Command(1, 1, "a"), Command(2, 1, "B"), Command(3, 2, "c")]),
        };
        checker.CheckLogMatching(broken);
        AssertOnly(checker, InvariantChecker.LogMatching);
    }

    [Fact]
    public void DifferentSnapshotsAtOneIndex_AreReported()
    {
        var checker = new InvariantChecker();
        checker.ObserveSnapshot("n1", 10, 0xABCD);
        checker.ObserveSnapshot("n2", 10, 0xABCD);
        Assert.False(checker.Failed);

        checker.ObserveSnapshot("n3", 10, 0xABCE);
        AssertOnly(checker, InvariantChecker.SnapshotAgreement);
    }

    [Fact]
    public void DuplicateApplicationOfAWrite_IsReported()
    {
        var checker = new InvariantChecker();
        checker.ObserveWriteInvoked("c1.1");
        checker.ObserveWriteInvoked("c1.2");
        checker.ObserveWriteAcknowledged("a", "c1.1", 1);
        checker.CheckFinalState(new Dictionary<string, List<string>> { ["a"] = ["c1.1", "c1.2"] });
        Assert.False(checker.Failed);

        checker.CheckFinalState(new Dictionary<string, List<string>> { ["a"] = ["c1.1", "c1.2", "c1.2"] });
        AssertOnly(checker, InvariantChecker.ExactlyOnce);
    }

    [Fact]
    public void LostOrMisplacedAcknowledgedWrite_IsReported()
    {
        var lost = new InvariantChecker();
        lost.ObserveWriteInvoked("c1.1");
        lost.ObserveWriteAcknowledged("a", "c1.1", 1);
        lost.CheckFinalState(new Dictionary<string, List<string>> { ["a"] = [] });
        AssertOnly(lost, InvariantChecker.ExactlyOnce);

        var misplaced = new InvariantChecker();
        misplaced.ObserveWriteInvoked("c1.1");
        misplaced.ObserveWriteInvoked("c2.1");
        misplaced.ObserveWriteAcknowledged("a", "c1.1", 1);
        misplaced.CheckFinalState(new Dictionary<string, List<string>> { ["a"] = ["c2.1", "c1.1"] });
        AssertOnly(misplaced, InvariantChecker.ExactlyOnce);
    }

    [Fact]
    public void WriteThatNoClientSent_IsReported()
    {
        var checker = new InvariantChecker();
        checker.CheckFinalState(new Dictionary<string, List<string>> { ["a"] = ["ghost.1"] });
        AssertOnly(checker, InvariantChecker.ExactlyOnce);
    }

    [Fact]
    public void StaleOrNonPrefixRead_IsReported()
    {
        var stale = new InvariantChecker();
        stale.ObserveWriteInvoked("c1.1");
        stale.ObserveWriteAcknowledged("a", "c1.1", 1);
        var required = stale.RequiredReadLength("a");
        stale.ObserveReadCompleted("a", [], required);
        AssertOnly(stale, InvariantChecker.LinearizableRead);

        // A read after a completed read may not see less.
        var backwards = new InvariantChecker();
        backwards.ObserveReadCompleted("a", ["c1.1", "c1.2"], 0);
        backwards.ObserveReadCompleted("a", ["c1.1"], backwards.RequiredReadLength("a"));
        AssertOnly(backwards, InvariantChecker.LinearizableRead);

        var notPrefix = new InvariantChecker();
        notPrefix.ObserveWriteInvoked("c1.1");
        notPrefix.ObserveWriteInvoked("c2.1");
        notPrefix.ObserveReadCompleted("a", ["c2.1"], 0);
        notPrefix.CheckFinalState(new Dictionary<string, List<string>> { ["a"] = ["c1.1", "c2.1"] });
        AssertOnly(notPrefix, InvariantChecker.LinearizableRead);
    }
}
