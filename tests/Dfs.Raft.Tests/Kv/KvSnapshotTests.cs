using Dfs.Client.Kv;
using Dfs.Raft.Kv;
using static Dfs.Raft.Tests.Kv.KvTestMachine;

namespace Dfs.Raft.Tests.Kv;

public sealed class KvSnapshotTests : IDisposable
{
    private readonly KvTestMachine _source = new();
    private readonly KvTestMachine _target = new();

    public void Dispose()
    {
        _source.Dispose();
        _target.Dispose();
    }

    [Fact]
    public void RestoredMachine_ReadsTheSame_AndAppliesFurtherCommandsWithIdenticalResults()
    {
        Populate(_source, keys: 3_000);
        var snapshot = Snapshot(_source.Machine);

        _target.Machine.RestoreSnapshot(new MemoryStream(snapshot));

        Assert.Equal(_source.Machine.Revision, _target.Machine.Revision);
        Assert.Equal(_source.Machine.NowMs, _target.Machine.NowMs);
        Assert.Equal(_source.Machine.AppliedIndex, _target.Machine.AppliedIndex);
        Assert.Equal(DescribeAll(_source.Machine), DescribeAll(_target.Machine));
        Assert.Equal(_source.Machine.GetLease(1), _target.Machine.GetLease(1));
        Assert.Equal(_source.Machine.GetLease(2), _target.Machine.GetLease(2));

        var further = new List<(long AtMs, KvCommand Command)>
        {
            (60_000, KvCommand.Put(B("key/00010"), B("changed"), previousValue: true)),
            (60_000, KvCommand.Put(B("new/1"), B("n"), leaseId: 2)),
            (60_000, KvCommand.Txn([KvCompare.VersionIs(B("key/00020"), KvCompareOperator.Equal, 2)], [KvOp.Delete(B("key/00020")), KvOp.Prefix(B("key/0002"), 3)])),
            (60_001, KvCommand.DeletePrefix(B("key/001"))),
            (100_000, KvCommand.AdvanceClock()), // expires lease 1, whose keys both copies must delete identically
            (100_000, KvCommand.KeepAliveLease(2)),
            (1_000_000, KvCommand.AdvanceClock()), // expires lease 2 too
        };
        for (var i = 0; i < 2_000; i++)
        {
            further.Add((1_000_000 + i, KvCommand.Put(B($"key/{i * 7919 % 5000:D5}"), B($"w{i}"))));
        }
        long index = _source.Machine.AppliedIndex;
        foreach (var (atMs, command) in further)
        {
            var bytes = KvCommandCodec.Encode(command);
            index++;
            Assert.Equal(_source.Machine.Apply(index, atMs, bytes).ToArray(), _target.Machine.Apply(index, atMs, bytes).ToArray());
        }
        Assert.Equal(DescribeAll(_source.Machine), DescribeAll(_target.Machine));
        Assert.Equal(Snapshot(_source.Machine), Snapshot(_target.Machine));
    }

    [Fact]
    public void SnapshotOfARestoredMachine_IsByteForByteTheSame()
    {
        Populate(_source, keys: 500);
        var snapshot = Snapshot(_source.Machine);

        _target.Machine.RestoreSnapshot(new MemoryStream(snapshot));

        Assert.Equal(snapshot, Snapshot(_target.Machine));
    }

    [Fact]
    public void Restore_ReplacesEverythingTheMachineHeld()
    {
        Populate(_source, keys: 10);
        _target.Put("stale/key", "old");
        _target.Apply(KvCommand.GrantLease(99, 1_000), 1_000);

        _target.Machine.RestoreSnapshot(new MemoryStream(Snapshot(_source.Machine)));

        Assert.Null(_target.Get("stale/key"));
        Assert.Null(_target.Machine.GetLease(99));
        Assert.Equal(DescribeAll(_source.Machine), DescribeAll(_target.Machine));
    }

    [Fact]
    public void CorruptOrTruncatedSnapshot_IsRefused_AndTheStateStaysAsItWas()
    {
        Populate(_source, keys: 200);
        var snapshot = Snapshot(_source.Machine);
        _target.Put("mine", "kept");
        var before = DescribeAll(_target.Machine);

        var flipped = (byte[])snapshot.Clone();
        flipped[snapshot.Length / 2] ^= 0x10;
        var truncated = snapshot[..^5];
        var badMagic = (byte[])snapshot.Clone();
        badMagic[0] ^= 0xFF;

        foreach (var bad in new[] { flipped, truncated, badMagic, Array.Empty<byte>() })
        {
            var error = Assert.Throws<InvalidDataException>(() => _target.Machine.RestoreSnapshot(new MemoryStream(bad)));
            Assert.False(string.IsNullOrEmpty(error.Message));
            Assert.Equal(before, DescribeAll(_target.Machine));
        }
    }

    [Fact]
    public void EmptyMachine_SnapshotsAndRestores()
    {
        _target.Put("x", "y");

        _target.Machine.RestoreSnapshot(new MemoryStream(Snapshot(_source.Machine)));

        Assert.Equal(0, _target.Machine.Revision);
        Assert.Empty(_target.Machine.Range([], []).Items);
    }

    private static void Populate(KvTestMachine kv, int keys)
    {
        kv.Apply(KvCommand.GrantLease(1, 50_000), 1_000);
        kv.Apply(KvCommand.GrantLease(2, 80_000), 1_000);
        for (var i = 0; i < keys; i++)
        {
            // Scattered order, so the index splits leaves the way live traffic does.
            var key = $"key/{i * 7919 % keys:D5}";
            kv.Apply(KvCommand.Put(B(key), B($"value-{i}"), leaseId: i % 10 == 0 ? 1 : i % 10 == 1 ? 2 : 0), 1_000 + i);
        }
        for (var i = 0; i < keys; i += 7)
        {
            kv.Apply(KvCommand.Put(B($"key/{i:D5}"), B($"again-{i}")), 30_000);
        }
        kv.Apply(KvCommand.Delete(B("key/00003")), 30_001);
    }

    private static byte[] Snapshot(KvStateMachine machine)
    {
        using var stream = new MemoryStream();
        machine.WriteSnapshot(stream);
        return stream.ToArray();
    }

    private static string[] DescribeAll(KvStateMachine machine) =>
        [.. machine.Range([], []).Items.Select(i => $"{S(i.Key)}={S(i.Value)} c{i.CreateRevision} m{i.ModRevision} v{i.Version} l{i.LeaseId}")];
}
