using System.Text;
using Dfs.Raft.Kv;

namespace Dfs.Raft.Tests.Kv;

public sealed class KvIndexTests
{
    private static readonly Comparer<string> Ordinal = Comparer<string>.Create(string.CompareOrdinal);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RandomInsertsRemovesAndRangeDeletes_MatchASortedDictionary(int seed)
    {
        var random = new Random(seed);
        var index = new KvIndex();
        var model = new SortedDictionary<string, long>(Ordinal);
        for (var step = 0; step < 20_000; step++)
        {
            var key = $"{random.Next(3000):D4}";
            var action = random.Next(100);
            if (action < 60)
            {
                index.Set(Record(key, step));
                model[key] = step;
            }
            else if (action < 90)
            {
                var removed = index.Remove(Encoding.ASCII.GetBytes(key));
                Assert.True((removed is not null) == model.Remove(key), $"seed {seed} step {step}: remove {key} disagreed");
            }
            else if (action < 93)
            {
                var start = $"{random.Next(3000):D4}";
                var end = $"{random.Next(3000):D4}";
                if (string.CompareOrdinal(start, end) > 0)
                {
                    (start, end) = (end, start);
                }
                var removed = new List<byte[]>();
                index.RemoveRange(Encoding.ASCII.GetBytes(start), Encoding.ASCII.GetBytes(end), removed);
                var expected = model.Keys.Where(k => string.CompareOrdinal(k, start) >= 0 && string.CompareOrdinal(k, end) < 0).ToList();
                Assert.Equal(expected, removed.Select(KeyOf));
                expected.ForEach(k => model.Remove(k));
            }
            else
            {
                var start = $"{random.Next(3000):D4}";
                var limit = random.Next(0, 200);
                var page = new List<byte[]>();
                var more = index.CollectRange(Encoding.ASCII.GetBytes(start), [], limit, page);
                var expected = model.Keys.Where(k => string.CompareOrdinal(k, start) >= 0).ToList();
                var expectedPage = limit == 0 ? expected : expected.Take(limit).ToList();
                Assert.Equal(expectedPage, page.Select(KeyOf));
                Assert.Equal(limit > 0 && expected.Count > limit, more);
            }
            Assert.Equal(model.Count, index.Count);
        }
        Assert.Equal(model.Select(p => $"{p.Key}:{p.Value}"), index.All().Select(r => $"{KeyOf(r)}:{Encoding.ASCII.GetString(KvRecord.Value(r))}"));
    }

    [Fact]
    public void SequentialAppends_ThenRemovingAll_LeaveAnEmptyUsableIndex()
    {
        var index = new KvIndex();
        for (var i = 0; i < 1000; i++)
        {
            index.Set(Record($"{i:D4}", i));
        }
        for (var i = 0; i < 1000; i++)
        {
            Assert.NotNull(index.Remove(Encoding.ASCII.GetBytes($"{i:D4}")));
        }

        Assert.Equal(0, index.Count);
        Assert.Empty(index.All());

        index.Set(Record("again", 1));
        Assert.NotNull(index.Get("again"u8));
    }

    private static byte[] Record(string key, long value) => KvRecord.Create(Encoding.ASCII.GetBytes(key), Encoding.ASCII.GetBytes(value.ToString()), 1, 1, 1, 0);

    private static string KeyOf(byte[] record) => Encoding.ASCII.GetString(KvRecord.Key(record));
}
