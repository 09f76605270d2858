using static Dfs.Raft.Tests.Kv.KvTestMachine;

namespace Dfs.Raft.Tests.Kv;

public sealed class KvRevisionTests : IDisposable
{
    private readonly KvTestMachine _kv = new();

    public void Dispose() => _kv.Dispose();

    [Fact]
    public void EachPut_AdvancesTheGlobalRevisionByOne()
    {
        Assert.Equal(0, _kv.Machine.Revision);

        Assert.Equal(1, _kv.Put("a", "1").Revision);
        Assert.Equal(2, _kv.Put("b", "1").Revision);
        Assert.Equal(3, _kv.Put("a", "2").Revision);
        Assert.Equal(3, _kv.Machine.Revision);
    }

    [Fact]
    public void RepeatedPuts_KeepCreateRevision_AndAdvanceModRevisionAndVersion()
    {
        _kv.Put("a", "1");
        _kv.Put("other", "x");
        _kv.Put("a", "2");
        _kv.Put("a", "3");

        var a = _kv.Get("a")!;

        Assert.Equal(1, a.CreateRevision);
        Assert.Equal(4, a.ModRevision);
        Assert.Equal(3, a.Version);
        Assert.Equal("3", S(a.Value));
    }

    [Fact]
    public void DeleteThenRecreate_ResetsCreateRevisionAndVersion()
    {
        _kv.Put("a", "1");
        _kv.Put("a", "2");
        var delete = _kv.Delete("a");
        var recreate = _kv.Put("a", "3");

        var a = _kv.Get("a")!;

        Assert.Equal(3, delete.Revision);
        Assert.Equal(1, delete.Responses[0].Deleted);
        Assert.Equal(4, recreate.Revision);
        Assert.Equal(4, a.CreateRevision);
        Assert.Equal(4, a.ModRevision);
        Assert.Equal(1, a.Version);
    }

    [Fact]
    public void DeletingAnAbsentKey_ChangesNothing_AndKeepsTheRevision()
    {
        _kv.Put("a", "1");

        var result = _kv.Delete("missing");
        var emptyRange = _kv.DeletePrefix("nothing/");

        Assert.Equal(0, result.Responses[0].Deleted);
        Assert.Equal(1, result.Revision);
        Assert.Equal(0, emptyRange.Responses[0].Deleted);
        Assert.Equal(1, _kv.Machine.Revision);
    }

    [Fact]
    public void DeletePrefix_OfManyKeys_AdvancesTheRevisionOnce()
    {
        for (var i = 0; i < 20; i++)
        {
            _kv.Put($"x/{i}", "v");
        }

        var result = _kv.DeletePrefix("x/");

        Assert.Equal(21, result.Revision);
        Assert.Equal(21, _kv.Machine.Revision);
    }

    [Fact]
    public void Put_WithPreviousValue_ReturnsTheReplacedKeyValue()
    {
        _kv.Put("a", "old");

        var first = _kv.Put("fresh", "v", previousValue: true);
        var second = _kv.Put("a", "new", previousValue: true);

        Assert.Empty(first.Responses[0].Items);
        var previous = Assert.Single(second.Responses[0].Items);
        Assert.Equal("old", S(previous.Value));
        Assert.Equal(1, previous.ModRevision);
        Assert.Equal("new", _kv.Value("a"));
    }

    [Fact]
    public void ReadValue_StaysUnchanged_AfterTheKeyIsOverwritten()
    {
        _kv.Put("a", "first");
        var read = _kv.Get("a")!;

        _kv.Put("a", "second");
        _kv.Delete("a");

        Assert.Equal("first", S(read.Value));
        Assert.Equal(1, read.ModRevision);
    }
}
