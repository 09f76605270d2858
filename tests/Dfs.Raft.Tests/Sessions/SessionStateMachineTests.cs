using System.Buffers.Binary;
using Dfs.Raft.Consensus.Sessions;
using Dfs.Raft.Tests.Simulation;

namespace Dfs.Raft.Tests.Sessions;

public sealed class SessionStateMachineTests
{
    private static readonly Guid ClientA = new("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid ClientB = new("00000000-0000-0000-0000-00000000000b");

    private static byte[] Append(Guid client, long seq, long lowestUnanswered, long timeMs, string token, string key = "k") =>
        new CommandEnvelope(client, seq, lowestUnanswered, timeMs, KeyAppendStateMachine.EncodeAppend(key, token)).Encode();

    private static SessionResult Apply(SessionStateMachine machine, long index, byte[] command) =>
        SessionResult.Decode(machine.Apply(index, command).ToArray());

    private static long Length(SessionResult result) => BinaryPrimitives.ReadInt64LittleEndian(result.Body.Span);

    [Fact]
    public void NewCommand_IsAppliedOnce_AndAnswersTheInnerResponse()
    {
        var inner = new KeyAppendStateMachine();
        var machine = new SessionStateMachine(inner);

        var result = Apply(machine, 1, Append(ClientA, 1, 1, 1000, "a1"));

        Assert.Equal(SessionResultKind.Applied, result.Kind);
        Assert.Equal(1, Length(result));
        Assert.Equal(["a1"], inner.Read("k"));
        Assert.True(machine.HasSession(ClientA));
    }

    [Fact]
    public void OneShotCommand_WithoutASession_IsAppliedEveryTime_AndOpensNoSession()
    {
        var inner = new KeyAppendStateMachine();
        var machine = new SessionStateMachine(inner);

        Assert.Equal(SessionResultKind.Applied, Apply(machine, 1, Append(Guid.Empty, 1, 1, 1000, "x")).Kind);
        Assert.Equal(SessionResultKind.Applied, Apply(machine, 2, Append(Guid.Empty, 1, 1, 1001, "x")).Kind);

        Assert.Equal(["x", "x"], inner.Read("k"));
        Assert.Equal(0, machine.SessionCount);
    }

    [Fact]
    public void RetriedCommand_AnswersTheCachedResponse_WithoutApplyingAgain()
    {
        var inner = new KeyAppendStateMachine();
        var machine = new SessionStateMachine(inner);
        Apply(machine, 1, Append(ClientA, 1, 1, 1000, "a1"));
        Apply(machine, 2, Append(ClientB, 1, 1, 1001, "b1"));

        var retry = Apply(machine, 3, Append(ClientA, 1, 1, 1002, "a1"));

        Assert.Equal(SessionResultKind.Duplicate, retry.Kind);
        Assert.Equal(1, Length(retry));
        Assert.Equal(["a1", "b1"], inner.Read("k"));
        Assert.Equal(2, inner.ApplyCount);
    }

    [Fact]
    public void ConcurrentSequenceNumbers_AppliedOutOfOrder_AreEachAppliedOnce()
    {
        var inner = new KeyAppendStateMachine();
        var machine = new SessionStateMachine(inner);

        Assert.Equal(SessionResultKind.Applied, Apply(machine, 1, Append(ClientA, 2, 1, 1000, "a2")).Kind);
        Assert.Equal(SessionResultKind.Applied, Apply(machine, 2, Append(ClientA, 1, 1, 1000, "a1")).Kind);
        Assert.Equal(SessionResultKind.Duplicate, Apply(machine, 3, Append(ClientA, 2, 1, 1000, "a2")).Kind);

        Assert.Equal(["a2", "a1"], inner.Read("k"));
        Assert.Equal(2, machine.CachedResponseCount(ClientA));
    }

    [Fact]
    public void AcknowledgedResponses_AreDiscarded_AndARetryBelowTheFloorIsNotReapplied()
    {
        var inner = new KeyAppendStateMachine();
        var machine = new SessionStateMachine(inner);
        Apply(machine, 1, Append(ClientA, 1, 1, 1000, "a1"));
        Apply(machine, 2, Append(ClientA, 2, 1, 1000, "a2"));

        // The client saw 1 and 2 answered: it says so in its next command.
        Apply(machine, 3, Append(ClientA, 3, 3, 1000, "a3"));
        Assert.Equal(1, machine.CachedResponseCount(ClientA));

        var late = Apply(machine, 4, Append(ClientA, 1, 1, 1000, "a1"));
        Assert.Equal(SessionResultKind.ResponseDiscarded, late.Kind);
        Assert.Equal(["a1", "a2", "a3"], inner.Read("k"));
    }

    [Fact]
    public void IdleSession_ExpiresByLogClock_AndItsLaterCommandsAreRefused()
    {
        var inner = new KeyAppendStateMachine();
        var machine = new SessionStateMachine(inner, new SessionOptions { IdleTimeoutMs = 10_000 });
        Apply(machine, 1, Append(ClientA, 1, 1, 1000, "a1"));
        Apply(machine, 2, Append(ClientB, 1, 1, 11_000, "b1"));
        Assert.True(machine.HasSession(ClientA));

        Apply(machine, 3, Append(ClientB, 2, 2, 11_001, "b2"));
        Assert.False(machine.HasSession(ClientA));

        var afterExpiry = Apply(machine, 4, Append(ClientA, 2, 2, 11_002, "a2"));
        Assert.Equal(SessionResultKind.SessionExpired, afterExpiry.Kind);
        Assert.Equal(["a1", "b1", "b2"], inner.Read("k"));
        Assert.False(machine.HasSession(ClientA));
    }

    [Fact]
    public void LogClock_NeverRunsBackwards_WhenALeaderClockLags()
    {
        var machine = new SessionStateMachine(new KeyAppendStateMachine(), new SessionOptions { IdleTimeoutMs = 10_000 });
        Apply(machine, 1, Append(ClientA, 1, 1, 1000, "a1"));
        Apply(machine, 2, Append(ClientB, 1, 1, 20_000, "b1"));
        Apply(machine, 3, Append(ClientB, 2, 2, 5_000, "b2"));

        Assert.Equal(20_000, machine.ClockMs);
        Assert.False(machine.HasSession(ClientA));
        Assert.True(machine.HasSession(ClientB));
    }

    [Fact]
    public void CommandOfUnknownClient_ThatHasSeenAnswers_IsRefusedAsExpired()
    {
        var inner = new KeyAppendStateMachine();
        var machine = new SessionStateMachine(inner);

        var result = Apply(machine, 1, Append(ClientA, 7, 5, 1000, "a7"));

        Assert.Equal(SessionResultKind.SessionExpired, result.Kind);
        Assert.Empty(inner.Read("k"));
        Assert.False(machine.HasSession(ClientA));
    }

    [Fact]
    public void CommandFarAboveTheAcknowledgedFloor_IsRefused_UntilTheClientAcknowledges()
    {
        var inner = new KeyAppendStateMachine();
        var machine = new SessionStateMachine(inner, new SessionOptions { MaxResponsesPerClient = 2 });
        Apply(machine, 1, Append(ClientA, 1, 1, 1000, "a1"));
        Apply(machine, 2, Append(ClientA, 2, 1, 1000, "a2"));

        Assert.Equal(SessionResultKind.OutsideWindow, Apply(machine, 3, Append(ClientA, 3, 1, 1000, "a3")).Kind);
        Assert.Equal(SessionResultKind.Applied, Apply(machine, 4, Append(ClientA, 3, 2, 1000, "a3")).Kind);
        Assert.Equal(["a1", "a2", "a3"], inner.Read("k"));
        Assert.Equal(2, machine.CachedResponseCount(ClientA));
    }

    [Fact]
    public void MalformedEntry_AnswersInvalid_AndChangesNothing()
    {
        var inner = new KeyAppendStateMachine();
        var machine = new SessionStateMachine(inner);
        var bad = Append(ClientA, 1, 1, 1000, "a1");
        BinaryPrimitives.WriteInt64LittleEndian(bad.AsSpan(25), 2); // lowest unanswered above the sequence

        var result = Apply(machine, 1, bad);

        Assert.Equal(SessionResultKind.Invalid, result.Kind);
        Assert.Contains("lowest unanswered", result.Reason, StringComparison.Ordinal);
        Assert.Equal(0, machine.SessionCount);
        Assert.Equal(0, machine.ClockMs);
        Assert.Equal(SessionResultKind.Invalid, Apply(machine, 2, [9, 1, 2]).Kind);
    }

    [Fact]
    public void Snapshot_CarriesSessionsAndInnerState_SoARestoredReplicaStillDeduplicates()
    {
        var machine = new SessionStateMachine(new KeyAppendStateMachine(), new SessionOptions { IdleTimeoutMs = 10_000 });
        Apply(machine, 1, Append(ClientA, 1, 1, 1000, "a1"));
        Apply(machine, 2, Append(ClientA, 2, 2, 2000, "a2"));
        Apply(machine, 3, Append(ClientB, 1, 1, 3000, "b1", key: "other"));
        using var snapshot = new MemoryStream();
        machine.WriteSnapshot(snapshot);

        var restoredInner = new KeyAppendStateMachine();
        var restored = new SessionStateMachine(restoredInner, new SessionOptions { IdleTimeoutMs = 10_000 });
        restored.RestoreSnapshot(new MemoryStream(snapshot.ToArray()));

        Assert.Equal(3000, restored.ClockMs);
        Assert.Equal(2, restored.SessionCount);
        Assert.Equal(SessionResultKind.Duplicate, Apply(restored, 4, Append(ClientA, 2, 2, 3001, "a2")).Kind);
        Assert.Equal(SessionResultKind.ResponseDiscarded, Apply(restored, 5, Append(ClientA, 1, 1, 3001, "a1")).Kind);
        Assert.Equal(["a1", "a2"], restoredInner.Read("k"));
        Assert.Equal(["b1"], restoredInner.Read("other"));

        // Same state, same bytes: replicas can compare snapshots.
        using var again = new MemoryStream();
        machine.Apply(4, Append(ClientA, 2, 2, 3001, "a2"));
        machine.Apply(5, Append(ClientA, 1, 1, 3001, "a1"));
        machine.WriteSnapshot(again);
        using var restoredBytes = new MemoryStream();
        restored.WriteSnapshot(restoredBytes);
        Assert.Equal(again.ToArray(), restoredBytes.ToArray());
    }

    [Fact]
    public void CorruptSnapshot_IsRejected_AndLeavesTheStateAsItWas()
    {
        var machine = new SessionStateMachine(new KeyAppendStateMachine());
        Apply(machine, 1, Append(ClientA, 1, 1, 1000, "a1"));
        using var snapshot = new MemoryStream();
        machine.WriteSnapshot(snapshot);
        var truncated = snapshot.ToArray()[..20];

        Assert.Throws<InvalidDataException>(() => machine.RestoreSnapshot(new MemoryStream(truncated)));
        Assert.Throws<InvalidDataException>(() => machine.RestoreSnapshot(new MemoryStream(new byte[32])));
        Assert.True(machine.HasSession(ClientA));
        Assert.Equal(1000, machine.ClockMs);
    }
}
