using System.Text;
using Dfs.Raft.Kv;

namespace Dfs.Raft.Tests.Kv;

/// <summary>A <see cref="KvStateMachine"/> driven the way the Raft host drives it: encoded commands in, encoded results out.</summary>
internal sealed class KvTestMachine : IDisposable
{
    private long _index;

    public KvStateMachine Machine { get; } = new();

    public long Now { get; set; } = 1_000;

    public static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    public static string S(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    public KvResult Apply(KvCommand command)
    {
        var bytes = KvCommandCodec.Encode(command);
        return KvResultCodec.Decode(Machine.Apply(++_index, bytes));
    }

    public KvResult ApplyRaw(ReadOnlySpan<byte> bytes) => KvResultCodec.Decode(Machine.Apply(++_index, bytes));

    public KvResult Put(string key, string value, long leaseId = 0, bool previousValue = false) =>
        Apply(KvCommand.Put(B(key), B(value), Now, leaseId, previousValue));

    public KvResult Delete(string key) => Apply(KvCommand.Delete(B(key), Now));

    public KvResult DeletePrefix(string prefix) => Apply(KvCommand.DeletePrefix(B(prefix), Now));

    public KvResult Txn(IReadOnlyList<KvCompare> compares, IReadOnlyList<KvOp> success, IReadOnlyList<KvOp>? failure = null) =>
        Apply(KvCommand.Txn(Now, compares, success, failure));

    public KvKeyValue? Get(string key) => Machine.Get(B(key));

    public string? Value(string key) => Get(key) is { } kv ? S(kv.Value) : null;

    public string[] Keys(string prefix, int limit = 0) => [.. Machine.RangePrefix(B(prefix), limit).Items.Select(i => S(i.Key))];

    public void Dispose() => Machine.Dispose();
}
