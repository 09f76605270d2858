using System.Text;
using Dfs.Client.Kv;
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

    /// <summary>Applies <paramref name="command"/> in the next log entry, stamped <see cref="Now"/>.</summary>
    public KvResult Apply(KvCommand command) => Apply(command, Now);

    /// <summary>Applies <paramref name="command"/> in the next log entry, stamped <paramref name="atMs"/>.</summary>
    public KvResult Apply(KvCommand command, long atMs) => ApplyRaw(KvCommandCodec.Encode(command), atMs);

    public KvResult ApplyRaw(ReadOnlySpan<byte> bytes) => ApplyRaw(bytes, Now);

    public KvResult ApplyRaw(ReadOnlySpan<byte> bytes, long atMs) => KvResultCodec.Decode(Machine.Apply(++_index, atMs, bytes));

    public KvResult Put(string key, string value, long leaseId = 0, bool previousValue = false) =>
        Apply(KvCommand.Put(B(key), B(value), leaseId, previousValue));

    public KvResult Delete(string key) => Apply(KvCommand.Delete(B(key)));

    public KvResult DeletePrefix(string prefix) => Apply(KvCommand.DeletePrefix(B(prefix)));

    public KvResult Txn(IReadOnlyList<KvCompare> compares, IReadOnlyList<KvOp> success, IReadOnlyList<KvOp>? failure = null) =>
        Apply(KvCommand.Txn(compares, success, failure));

    public KvKeyValue? Get(string key) => Machine.Get(B(key));

    public string? Value(string key) => Get(key) is { } kv ? S(kv.Value) : null;

    public string[] Keys(string prefix, int limit = 0) => [.. Machine.RangePrefix(B(prefix), limit).Items.Select(i => S(i.Key))];

    public void Dispose() => Machine.Dispose();
}
