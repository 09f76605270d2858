using Dfs.Client.Kv;
using Dfs.Common.Keys;
using static Dfs.Raft.Tests.Kv.KvTestMachine;

namespace Dfs.Raft.Tests.Kv;

public sealed class KvRangeTests : IDisposable
{
    private readonly KvTestMachine _kv = new();

    public void Dispose() => _kv.Dispose();

    [Fact]
    public void RangePrefix_ReturnsOnlyKeysWithThePrefix_InOrdinalOrder()
    {
        foreach (var key in new[] { "/b/2", "/a", "/b/10", "/b/1", "/c", "/b", "/b/\u00e9", "/b/Z" })
        {
            _kv.Put(key, "v");
        }

        var keys = _kv.Keys("/b/");

        // Ordinal byte order: digits < uppercase < UTF-8 multibyte.
        Assert.Equal(["/b/1", "/b/10", "/b/2", "/b/Z", "/b/\u00e9"], keys);
    }

    [Fact]
    public void Range_WithLimit_ReturnsFirstKeysAndSetsMore()
    {
        for (var i = 0; i < 10; i++)
        {
            _kv.Put($"k/{i:D2}", $"v{i}");
        }

        var page = _kv.Machine.RangePrefix(B("k/"), limit: 4);

        Assert.Equal(["k/00", "k/01", "k/02", "k/03"], page.Items.Select(i => S(i.Key)));
        Assert.True(page.More);
        Assert.Equal(10, page.Revision);
    }

    [Fact]
    public void Range_WithLimitEqualToCount_HasNoMore()
    {
        for (var i = 0; i < 5; i++)
        {
            _kv.Put($"k/{i}", "v");
        }
        _kv.Put("l", "outside");

        var page = _kv.Machine.RangePrefix(B("k/"), limit: 5);

        Assert.Equal(5, page.Items.Count);
        Assert.False(page.More);
    }

    [Fact]
    public void Range_ContinuingAfterLastKey_WalksTheWholePrefixInPages()
    {
        for (var i = 0; i < 1000; i++)
        {
            _kv.Put($"p/{i:D4}", "v");
        }
        var seen = new List<string>();
        var start = B("p/");
        var end = KeyRanges.PrefixEnd(start);

        while (true)
        {
            var page = _kv.Machine.Range(start, end, limit: 64);
            seen.AddRange(page.Items.Select(i => S(i.Key)));
            if (!page.More)
            {
                break;
            }
            start = [.. page.Items[^1].Key.ToArray(), 0];
        }

        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"p/{i:D4}"), seen);
    }

    [Fact]
    public void Range_WithExplicitBounds_IncludesStartAndExcludesEnd()
    {
        foreach (var key in new[] { "a", "b", "c", "d" })
        {
            _kv.Put(key, key);
        }

        var page = _kv.Machine.Range(B("b"), B("d"));

        Assert.Equal(["b", "c"], page.Items.Select(i => S(i.Key)));
    }

    [Fact]
    public void Range_WithEmptyStartAndEnd_ReturnsEverything()
    {
        foreach (var key in new[] { "z", "a", "m" })
        {
            _kv.Put(key, key);
        }

        Assert.Equal(["a", "m", "z"], _kv.Machine.Range([], []).Items.Select(i => S(i.Key)));
    }

    [Fact]
    public void PrefixEnd_OfTrailingFfBytes_DropsThemAndIncrements()
    {
        Assert.Equal(new byte[] { 0x01, 0x03 }, KeyRanges.PrefixEnd([0x01, 0x02, 0xFF, 0xFF]));
        Assert.Empty(KeyRanges.PrefixEnd([0xFF, 0xFF]));
        Assert.Empty(KeyRanges.PrefixEnd([]));
    }

    [Fact]
    public void RangeOp_InsideTxn_ReturnsPageAndMore()
    {
        for (var i = 0; i < 6; i++)
        {
            _kv.Put($"r/{i}", $"{i}");
        }

        var result = _kv.Txn([], [KvOp.Prefix(B("r/"), limit: 2)]);

        var response = Assert.Single(result.Responses);
        Assert.Equal(["r/0", "r/1"], response.Items.Select(i => S(i.Key)));
        Assert.Equal(["0", "1"], response.Items.Select(i => S(i.Value)));
        Assert.True(response.More);
    }

    [Fact]
    public void DeletePrefix_DeletesOnlyThePrefix_AndCountsThem()
    {
        for (var i = 0; i < 300; i++)
        {
            _kv.Put($"d/{i:D3}", "v");
        }
        _kv.Put("c", "before");
        _kv.Put("e", "after");

        var result = _kv.DeletePrefix("d/");

        Assert.Equal(300, result.Responses[0].Deleted);
        Assert.Empty(_kv.Keys("d/"));
        Assert.Equal(["c", "e"], _kv.Keys(""));
    }
}
