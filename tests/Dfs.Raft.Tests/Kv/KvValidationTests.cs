using Dfs.Client.Kv;
using static Dfs.Raft.Tests.Kv.KvTestMachine;

namespace Dfs.Raft.Tests.Kv;

public sealed class KvValidationTests : IDisposable
{
    private readonly KvTestMachine _kv = new();

    public void Dispose() => _kv.Dispose();

    [Fact]
    public void BuildingAPut_WithAnEmptyKey_ThrowsAValidationError()
    {
        var error = Assert.Throws<KvValidationException>(() => KvCommand.Put(Array.Empty<byte>(), B("v")));

        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildingAPut_WithAKeyOverOneKiB_ThrowsAValidationError()
    {
        KvCommand.Put(new byte[KvLimits.MaxKeyBytes], B("v"));

        var error = Assert.Throws<KvValidationException>(() => KvCommand.Put(new byte[KvLimits.MaxKeyBytes + 1], B("v")));

        Assert.Contains("1025 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildingAPut_WithAValueOverOneMiB_ThrowsAValidationError()
    {
        KvCommand.Put(B("k"), new byte[KvLimits.MaxValueBytes]);

        var error = Assert.Throws<KvValidationException>(() => KvCommand.Put(B("k"), new byte[KvLimits.MaxValueBytes + 1]));

        Assert.Contains("value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EncodingAnInvalidCommandBuiltDirectly_ThrowsBeforeAnyBytesExist()
    {
        var bad = new KvOpCommand(new KvOp(KvOpKind.Put, new byte[2000], default, B("v"), 0, 0, false));

        Assert.Throws<KvValidationException>(() => KvCommandCodec.Encode(bad));
    }

    [Fact]
    public void TxnOps_AndCompares_AreValidatedToo()
    {
        Assert.Throws<KvValidationException>(() => KvCommand.Txn([], [new KvOp(KvOpKind.Get, default, default, default, 0, 0, false)]));
        Assert.Throws<KvValidationException>(() => KvCommand.Txn([new KvCompare(new byte[1025], KvCompareTarget.Version, KvCompareOperator.Equal, 0, default)], []));
        Assert.Throws<KvValidationException>(() => KvOp.Range(B("b"), B("a")));
        Assert.Throws<KvValidationException>(() => KvCommand.GrantLease(0, 100));
        Assert.Throws<KvValidationException>(() => KvCommand.GrantLease(1, 0));
    }

    [Fact]
    public void ApplyingAnOversizedKeyThatBypassedTheBuilder_IsRefused_AndChangesNothing()
    {
        _kv.Put("a", "1");
        var before = Describe();
        var bytes = RawPut(new byte[KvLimits.MaxKeyBytes + 1], B("v"));

        var result = _kv.ApplyRaw(bytes, atMs: 99_999);

        Assert.Equal(KvStatus.InvalidArgument, result.Status);
        Assert.Contains("limit is 1024", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, Describe());
        Assert.Equal(1_000, _kv.Machine.NowMs);
    }

    [Fact]
    public void ApplyingAnEmptyKeyOrOversizedValueThatBypassedTheBuilder_IsRefused_AndChangesNothing()
    {
        _kv.Put("a", "1");
        var before = Describe();

        var emptyKey = _kv.ApplyRaw(RawPut([], B("v")), atMs: 1_000);
        var bigValue = _kv.ApplyRaw(RawPut(B("k"), new byte[KvLimits.MaxValueBytes + 1]), atMs: 1_000);

        Assert.Equal(KvStatus.InvalidArgument, emptyKey.Status);
        Assert.Equal(KvStatus.InvalidArgument, bigValue.Status);
        Assert.Equal(before, Describe());
    }

    [Fact]
    public void ATxnEncodingPastTheCommandLimit_IsRefusedWhenEncoded_AndWhenApplied()
    {
        var big = new byte[KvLimits.MaxValueBytes];
        var ops = Enumerable.Range(0, 5).Select(i => KvOp.Put(B($"k{i}"), big)).ToArray();
        var txn = KvCommand.Txn([], ops);

        var error = Assert.Throws<KvValidationException>(() => KvCommandCodec.Encode(txn));
        Assert.Contains("limit is 4194304 bytes", error.Message, StringComparison.Ordinal);

        var oversized = new byte[KvLimits.MaxCommandBytes + 1];
        oversized[0] = KvCommandCodec.FormatVersion;
        var result = _kv.ApplyRaw(oversized);
        Assert.Equal(KvStatus.InvalidArgument, result.Status);
        Assert.Equal(0, _kv.Machine.Revision);
    }

    [Fact]
    public void ReadApi_WithAnEmptyKey_ThrowsAValidationError()
    {
        Assert.Throws<KvValidationException>(() => _kv.Machine.Get([]));
        Assert.Throws<KvValidationException>(() => _kv.Machine.Range([], [], limit: -1));
    }

    private string Describe() =>
        $"{_kv.Machine.Revision}|" + string.Join(",", _kv.Machine.Range([], []).Items.Select(i => $"{S(i.Key)}={S(i.Value)}@{i.ModRevision}"));

    // A put encoded by hand, as a faulty or hostile proposer could, skipping the builder's checks.
    internal static byte[] RawPut(byte[] key, byte[] value)
    {
        var bytes = new List<byte> { KvCommandCodec.FormatVersion, 1 };
        bytes.Add((byte)KvOpKind.Put);
        Varint(bytes, (ulong)key.Length);
        bytes.AddRange(key);
        Varint(bytes, (ulong)value.Length);
        bytes.AddRange(value);
        bytes.Add(0); // lease 0
        bytes.Add(0); // no previous value
        return [.. bytes];
    }

    private static void Varint(List<byte> bytes, ulong value)
    {
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }
        bytes.Add((byte)value);
    }
}
