using Dfs.Client.Kv;
using static Dfs.Raft.Tests.Kv.KvTestMachine;

namespace Dfs.Raft.Tests.Kv;

public sealed class KvConcurrencyTests
{
    [Fact]
    public async Task Readers_OnOtherThreads_NeverSeeATransactionHalfApplied()
    {
        using var kv = new KvTestMachine();
        kv.Txn([], [KvOp.Put(B("pair/a"), B("0")), KvOp.Put(B("pair/b"), B("0"))]);
        const int Writes = 3_000;
        var done = 0;
        var torn = new List<string>();

        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            var reads = 0;
            while (Volatile.Read(ref done) == 0 || reads == 0)
            {
                var page = kv.Machine.RangePrefix(B("pair/"));
                var a = page.Items[0];
                var b = page.Items[1];
                if (a.ModRevision != b.ModRevision || S(a.Value) != S(b.Value) || a.ModRevision != page.Revision)
                {
                    lock (torn)
                    {
                        torn.Add($"a={S(a.Value)}@{a.ModRevision} b={S(b.Value)}@{b.ModRevision} rev={page.Revision}");
                    }
                }
                reads++;
            }
            return reads;
        })).ToArray();

        for (var i = 1; i <= Writes; i++)
        {
            kv.Txn([], [KvOp.Put(B("pair/a"), B($"{i}")), KvOp.Put(B("pair/b"), B($"{i}"))]);
        }
        Volatile.Write(ref done, 1);
        var readCounts = await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(torn.Count == 0, $"Expected every read to see both keys at one revision; saw {torn.Count} torn reads, first: {torn.FirstOrDefault()}");
        Assert.All(readCounts, c => Assert.True(c > 0));
        Assert.Equal(Writes + 1, kv.Machine.Revision);
    }
}
