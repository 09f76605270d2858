using Dfs.Client.Kv;
using Dfs.Raft.Consensus.Sessions;
using Dfs.Raft.Kv;
using static Dfs.Raft.Tests.Kv.KvTestMachine;

namespace Dfs.Raft.Tests.Kv;

public sealed class KvLeaseTests : IDisposable
{
    private readonly KvTestMachine _kv = new();

    public void Dispose() => _kv.Dispose();

    [Fact]
    public void Lease_ExpiresOnlyWhenACommandCarriesALaterTime()
    {
        _kv.Apply(KvCommand.GrantLease(7, ttlMs: 500), 1_000);
        _kv.Apply(KvCommand.Put(B("session"), B("s"), leaseId: 7), 1_000);

        // No entry carries time past the expiry: the key stays however long the test takes.
        _kv.Apply(KvCommand.Put(B("other"), B("o")), 1_499);
        Assert.NotNull(_kv.Get("session"));
        Assert.NotNull(_kv.Machine.GetLease(7));

        _kv.Apply(KvCommand.AdvanceClock(), 1_500);

        Assert.Null(_kv.Get("session"));
        Assert.Null(_kv.Machine.GetLease(7));
        Assert.Equal("o", _kv.Value("other"));
    }

    [Fact]
    public void Expiry_DeletesTheLeasesKeys_BeforeTheCommandThatCarriesTheTimeRuns()
    {
        _kv.Apply(KvCommand.GrantLease(7, 100), 1_000);
        _kv.Apply(KvCommand.Put(B("lock"), B("holder-1"), leaseId: 7), 1_000);

        var result = _kv.Apply(KvCommand.Txn([KvCompare.Missing(B("lock"))], [KvOp.Put(B("lock"), B("holder-2"))]), 2_000);

        Assert.True(result.Succeeded);
        Assert.Equal("holder-2", _kv.Value("lock"));
        Assert.Equal(0, _kv.Get("lock")!.LeaseId);
    }

    [Fact]
    public void Expiry_DeletingKeys_AdvancesTheRevisionOncePerLease()
    {
        _kv.Apply(KvCommand.GrantLease(1, 100), 1_000);
        _kv.Apply(KvCommand.GrantLease(2, 200), 1_000);
        _kv.Apply(KvCommand.Put(B("a1"), B("v"), 1), 1_000);
        _kv.Apply(KvCommand.Put(B("a2"), B("v"), 1), 1_000);
        _kv.Apply(KvCommand.Put(B("b1"), B("v"), 2), 1_000);
        Assert.Equal(3, _kv.Machine.Revision);

        var result = _kv.Apply(KvCommand.AdvanceClock(), 5_000);

        Assert.Equal(5, result.Revision);
        Assert.Empty(_kv.Keys(""));
    }

    [Fact]
    public void KeepAlive_ExtendsTheLeaseFromTheCommandTime()
    {
        _kv.Apply(KvCommand.GrantLease(7, 500), 1_000);
        _kv.Apply(KvCommand.Put(B("k"), B("v"), 7), 1_000);

        var keepAlive = _kv.Apply(KvCommand.KeepAliveLease(7), 1_400);
        _kv.Apply(KvCommand.AdvanceClock(), 1_800);

        Assert.Equal(1_900, keepAlive.Lease!.ExpiresAtMs);
        Assert.NotNull(_kv.Get("k"));

        _kv.Apply(KvCommand.AdvanceClock(), 1_900);

        Assert.Null(_kv.Get("k"));
    }

    [Fact]
    public void KeepAlive_AfterExpiry_ReportsLeaseNotFound()
    {
        _kv.Apply(KvCommand.GrantLease(7, 500), 1_000);

        var result = _kv.Apply(KvCommand.KeepAliveLease(7), 1_600);

        Assert.Equal(KvStatus.LeaseNotFound, result.Status);
        Assert.Null(_kv.Machine.GetLease(7));
    }

    [Fact]
    public void Revoke_DeletesEveryAttachedKey_AtOneRevision_AndReportsTheCount()
    {
        _kv.Apply(KvCommand.GrantLease(9, 60_000), 1_000);
        _kv.Apply(KvCommand.Put(B("x/1"), B("v"), 9), 1_000);
        _kv.Apply(KvCommand.Put(B("x/2"), B("v"), 9), 1_000);
        _kv.Apply(KvCommand.Put(B("y"), B("plain")), 1_000);

        var result = _kv.Apply(KvCommand.RevokeLease(9), 1_000);

        Assert.Equal(2, result.Responses[0].Deleted);
        Assert.Equal(4, result.Revision);
        Assert.Equal(["y"], _kv.Keys(""));
        Assert.Null(_kv.Machine.GetLease(9));
    }

    [Fact]
    public void KeyMovedToAnotherLeaseOrNone_IsNotDeletedWithItsOldLease()
    {
        _kv.Apply(KvCommand.GrantLease(1, 60_000), 1_000);
        _kv.Apply(KvCommand.GrantLease(2, 60_000), 1_000);
        _kv.Apply(KvCommand.Put(B("moved"), B("v"), 1), 1_000);
        _kv.Apply(KvCommand.Put(B("released"), B("v"), 1), 1_000);
        _kv.Apply(KvCommand.Put(B("moved"), B("v2"), 2), 1_000);
        _kv.Apply(KvCommand.Put(B("released"), B("v2"), 0), 1_000);

        var result = _kv.Apply(KvCommand.RevokeLease(1), 1_000);

        Assert.Equal(0, result.Responses[0].Deleted);
        Assert.Equal(2, _kv.Get("moved")!.LeaseId);
        Assert.NotNull(_kv.Get("released"));
    }

    [Fact]
    public void DeletedKey_IsNotDeletedAgainWhenItsLeaseEnds_EvenIfRecreatedWithoutLease()
    {
        _kv.Apply(KvCommand.GrantLease(1, 100), 1_000);
        _kv.Apply(KvCommand.Put(B("k"), B("v"), 1), 1_000);
        _kv.Apply(KvCommand.Delete(B("k")), 1_000);
        _kv.Apply(KvCommand.Put(B("k"), B("again")), 1_000);

        _kv.Apply(KvCommand.AdvanceClock(), 10_000);

        Assert.Equal("again", _kv.Value("k"));
    }

    [Fact]
    public void Time_NeverGoesBackwards_WhenACommandCarriesAnEarlierTime()
    {
        _kv.Apply(KvCommand.AdvanceClock(), 5_000);

        var grant = _kv.Apply(KvCommand.GrantLease(3, 1_000), 2_000);

        Assert.Equal(5_000, _kv.Machine.NowMs);
        Assert.Equal(6_000, grant.Lease!.ExpiresAtMs);

        _kv.Apply(KvCommand.Put(B("k"), B("v"), 3), 2_500);
        _kv.Apply(KvCommand.AdvanceClock(), 5_999);
        Assert.NotNull(_kv.Get("k"));
        _kv.Apply(KvCommand.AdvanceClock(), 6_000);
        Assert.Null(_kv.Get("k"));
    }

    [Fact]
    public void Put_OnAnExpiredLease_IsRefused_AndChangesNoKey()
    {
        _kv.Apply(KvCommand.GrantLease(4, 100), 1_000);

        var result = _kv.Apply(KvCommand.Put(B("k"), B("v"), 4), 1_200);

        Assert.Equal(KvStatus.LeaseNotFound, result.Status);
        Assert.Null(_kv.Get("k"));
        Assert.Equal(0, _kv.Machine.Revision);
    }

    [Fact]
    public void Grant_OfAnExistingLeaseId_IsRefused_AndKeepsTheOriginal()
    {
        _kv.Apply(KvCommand.GrantLease(4, 100), 1_000);

        var result = _kv.Apply(KvCommand.GrantLease(4, 9_000), 1_000);

        Assert.Equal(KvStatus.LeaseExists, result.Status);
        Assert.Equal(100, _kv.Machine.GetLease(4)!.TtlMs);
    }

    [Fact]
    public void UnderTheSessionLayer_LeasesExpireByTheTimeStampedOnEachEnvelope()
    {
        using var store = new KvStateMachine();
        var sessions = new SessionStateMachine(store);
        var index = 0L;
        KvResult Apply(long timestampMs, KvCommand command) => KvResultCodec.Decode(
            sessions.Apply(++index, new CommandEnvelope(Guid.Empty, 1, 1, timestampMs, KvCommandCodec.Encode(command))).Body);

        var grant = Apply(1_000, KvCommand.GrantLease(7, 500));
        Apply(1_000, KvCommand.Put(B("session"), B("s"), leaseId: 7));
        Apply(1_499, KvCommand.AdvanceClock());

        Assert.Equal(1_500, grant.Lease!.ExpiresAtMs);
        Assert.Equal(1_499, store.NowMs);
        Assert.NotNull(store.Get(B("session")));

        Apply(1_500, KvCommand.AdvanceClock());

        Assert.Equal(1_500, store.NowMs);
        Assert.Null(store.Get(B("session")));
        Assert.Null(store.GetLease(7));
    }
}
