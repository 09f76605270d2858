using Dfs.Cli.Demo;

namespace Dfs.Cli.Tests;

/// <summary>The figures and the timeline of <c>dfs demo failover</c>, from recorded uploads and events.</summary>
public sealed class FailoverDemoLogicTests
{
    [Theory]
    [InlineData(new long[] { 412 }, 412.0)]
    [InlineData(new long[] { 900, 100, 300 }, 300.0)]
    [InlineData(new long[] { 400, 100, 300, 200 }, 250.0)]
    [InlineData(new long[] { 1100, 380, 420, 3700, 450 }, 450.0)]
    public void Median_IsTheMiddleValue_OrTheMeanOfTheMiddleTwo(long[] gaps, double expected) =>
        Assert.Equal(expected, FailoverMath.Median(gaps));

    [Fact]
    public void Median_OfNothing_IsNull() => Assert.Null(FailoverMath.Median([]));

    [Fact]
    public void FirstResumed_IsTheEarliestAcknowledgementOfAnUploadStartedAfterTheKill()
    {
        UploadRecord[] records =
        [
            // Started before the kill and acknowledged just after it: its commit may have reached the old leader, so it proves nothing.
            new("/a", 990, 1_005, true, null),
            new("/b", 1_010, 1_700, true, null),
            new("/c", 1_050, 1_450, true, null),
            new("/d", 1_020, 1_300, false, "no leader"),
            new("/e", 1_400, 1_600, true, null),
        ];

        var resumed = FailoverMath.FirstResumed(records, killedAtMs: 1_000);

        Assert.Equal("/c", resumed?.Path);
        Assert.Equal(450, resumed!.EndedMs - 1_000);
    }

    [Fact]
    public void FirstResumed_WithNoAcknowledgementAfterTheKill_IsNull()
    {
        UploadRecord[] records = [new("/a", 900, 1_100, true, null), new("/b", 1_100, 1_200, false, "unavailable")];

        Assert.Null(FailoverMath.FirstResumed(records, killedAtMs: 1_000));
    }

    [Fact]
    public void FailedDuring_CountsFailuresThatOverlapTheWindow_AndStartedDuring_SplitsTheWindowsUploads()
    {
        UploadRecord[] records =
        [
            new("/early", 100, 200, false, "x"),
            new("/overlaps", 900, 1_100, false, "x"),
            new("/inside", 1_200, 1_300, false, "x"),
            new("/ok", 1_200, 1_250, true, null),
            new("/late", 2_100, 2_200, false, "x"),
        ];

        Assert.Equal(2, FailoverMath.FailedDuring(records, 1_000, 2_000));
        Assert.Equal((1, 1), FailoverMath.StartedDuring(records, 1_000, 2_000));
    }

    [Fact]
    public void Timeline_CountsTimeFromTheLastKill_AndANewPhaseClearsIt()
    {
        long now = 1_000;
        var seen = new List<TimelineEvent>();
        var timeline = new Timeline(() => now, seen.Add);

        timeline.Add(TimelineKind.Info, "m1 leads");
        timeline.Kill(1_500, "SIGKILL m1");
        now = 1_812;
        timeline.Add(TimelineKind.Elected, "m2 leads");
        timeline.Add(TimelineKind.Resumed, "writes resumed", atMs: 1_900);
        timeline.NewPhase();
        timeline.Add(TimelineKind.Info, "next");

        Assert.Equal([null, 0L, 312L, 400L, null], timeline.Events.Select(e => e.SinceKillMs));
        Assert.Equal([1_000L, 1_500L, 1_812L, 1_900L, 1_812L], timeline.Events.Select(e => e.AtMs));
        Assert.Equal(timeline.Events, seen);
    }

    [Fact]
    public void Timeline_Columns_AreAlignedWhateverTheFigures()
    {
        TimelineEvent[] events =
        [
            new(5, null, TimelineKind.Info, "a"),
            new(4_398, 0, TimelineKind.Kill, "b"),
            new(65_304, 60_211, TimelineKind.Bad, "c"),
            new(123_456, 7, TimelineKind.Good, "d"),
        ];

        var lines = events.Select(Timeline.PlainLine).ToArray();

        // Each sentence starts in the same column, and the figures end in the same columns.
        Assert.Single(lines.Select(l => l.Length - 1).Distinct());
        Assert.Equal("   0.005 s              a", lines[0]);
        Assert.Equal("   4.398 s  +     0 ms  b", lines[1]);
        Assert.Equal("  65.304 s  + 60211 ms  c", lines[2]);
        Assert.Equal(" 123.456 s  +     7 ms  d", lines[3]);
    }

    [Fact]
    public void Summary_GivesTheMedianGapAgainstTheGoal_TheChunkServer_AndTheUploads()
    {
        LeaderRound Round(int n, long gap) => new(n, "m1", n, 100 + n, "m2", n + 1, gap - 100, gap, 0, true, true, 4_000, 900, null);
        var report = new FailoverReport(
            "http://127.0.0.1:8080/",
            4,
            500,
            [Round(1, 420), Round(2, 380), Round(3, 610)],
            420,
            true,
            new ChunkServerPhase("c2", 4242, 120, true, 5_100, 118, 9_300, true, 150, 0, true, 12_000, null),
            new UploadSummary(600, 598, 2, 598, 0, 0, 0, 0, 0, 300, 4),
            [0.5, 0.4, 0.3],
            []);

        var summary = Demo.DemoCommand.Summary(report);

        Assert.Equal(
            "Summary: leader killed 3x, writes resumed after a median of 420 ms (goal 500 ms: met); chunk server c2 killed: 150 uploads acknowledged while it " +
            "was down, full replication again after 9.3 s; 598 uploads acknowledged, 598 read back identical, 0 lost, 2 failed (never acknowledged); load average 0.50.",
            summary);
    }
}
