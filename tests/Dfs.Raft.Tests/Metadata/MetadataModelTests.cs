using System.Diagnostics;
using System.Globalization;
using Dfs.Client.Metadata;
using Dfs.Raft.Metadata;
using Xunit.Abstractions;

namespace Dfs.Raft.Tests.Metadata;

/// <summary>
/// Seeded random sequences of mkdir, create, overwrite, rename and delete applied to the schema and to
/// <see cref="MetadataTreeModel"/>, comparing every outcome, listing and lookup after each step. A failing seed
/// prints itself; DFS_META_SEED=n replays it alone, and DFS_META_SEEDS=n runs n seeds (a longer soak).
/// </summary>
public sealed class MetadataModelTests(ITestOutputHelper output)
{
    private const int DefaultSeeds = 1000;
    private const int Steps = 30;
    private static readonly string[] Names = ["a", "b", "c"];

    [Fact]
    public async Task RandomSequences_MatchThePlainTreeModel()
    {
        var replay = int.TryParse(Environment.GetEnvironmentVariable("DFS_META_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var one) ? one : (int?)null;
        var count = int.TryParse(Environment.GetEnvironmentVariable("DFS_META_SEEDS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : DefaultSeeds;
        var seeds = replay is { } s ? [s] : Enumerable.Range(1, count).ToArray();
        var watch = Stopwatch.StartNew();
        var steps = 0;
        foreach (var seed in seeds)
        {
            var trace = new List<string>();
            try
            {
                steps += await RunAsync(seed, trace);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException(
                    $"Model seed {seed} failed after: {string.Join(" ; ", trace)}\n{e.Message}\nReplay with DFS_META_SEED={seed}.", e);
            }
        }
        output.WriteLine($"{seeds.Length} seeds, {steps} steps in {watch.Elapsed.TotalSeconds:F1} s");
    }

    private static async Task<int> RunAsync(int seed, List<string> trace)
    {
        var random = new Random(seed);
        var ctx = new MetadataTestContext(new MetadataOptions { KeepVersions = 3 });
        var store = ctx.Store;
        var model = new MetadataTreeModel();
        for (var step = 0; step < Steps; step++)
        {
            var path = RandomPath(random);
            var p = MetadataPath.Join(path, path.Length);
            var roll = random.Next(100);
            MetadataErrorCode? expected;
            Func<Task> action;
            if (roll < 20)
            {
                var parents = random.Next(2) == 0;
                trace.Add($"mkdir{(parents ? " -p" : "")} {p}");
                expected = model.Mkdir(path, parents);
                action = () => store.MkdirAsync(p, parents);
            }
            else if (roll < 50)
            {
                var version = random.Next(4) switch { 0 => -1L, 1 => 0L, _ => random.Next(1, 4) };
                var size = random.Next(1, 5);
                trace.Add($"commit {p} expect {version} size {size}");
                expected = model.Commit(path, version, size * 10);
                var content = MetadataTestContext.Content([.. Enumerable.Range(0, size).Select(i => (ulong)(step * 10 + i + 1))]);
                action = () => store.CommitAsync(p, version switch { -1 => ExpectedVersion.Any, 0 => ExpectedVersion.None, _ => ExpectedVersion.Is(version) }, content);
            }
            else if (roll < 75)
            {
                var to = RandomPath(random);
                var t = MetadataPath.Join(to, to.Length);
                var replace = random.Next(2) == 0;
                trace.Add($"rename{(replace ? " -f" : "")} {p} {t}");
                expected = model.Rename(path, to, replace);
                action = () => store.RenameAsync(p, t, replace);
            }
            else
            {
                var recursive = random.Next(2) == 0;
                trace.Add($"delete{(recursive ? " -r" : "")} {p}");
                expected = model.Delete(path, recursive);
                action = () => store.DeleteAsync(p, recursive);
            }
            MetadataErrorCode? actual = null;
            try
            {
                await action();
            }
            catch (MetadataException e)
            {
                actual = e.Code;
            }
            Assert.True(expected == actual, $"outcome: model {expected?.ToString() ?? "ok"}, schema {actual?.ToString() ?? "ok"}");
            await CompareAsync(ctx, model, random);
        }
        return Steps;
    }

    private static async Task CompareAsync(MetadataTestContext ctx, MetadataTreeModel model, Random random)
    {
        var nodes = model.All().ToList();
        Assert.Equal(nodes.Count, await ctx.CountAsync('E'));
        Assert.Equal(nodes.Count, await ctx.CountAsync('I'));
        foreach (var (path, node) in nodes.Prepend(("/", model.Root)))
        {
            var stat = await ctx.Store.StatAsync(path);
            Assert.True(stat.Kind == (node.IsDirectory ? EntryKind.Directory : EntryKind.File), $"kind of {path}");
            if (!node.IsDirectory)
            {
                Assert.True((node.Version, node.Size) == (stat.Version, stat.Size), $"{path}: model v{node.Version} {node.Size} B, schema v{stat.Version} {stat.Size} B");
                continue;
            }
            var listed = new List<MetadataEntry>();
            string? after = null;
            var pageSize = random.Next(1, 4);
            while (true)
            {
                var page = await ctx.Store.ListAsync(path, after, pageSize);
                listed.AddRange(page.Entries);
                if (!page.More)
                {
                    break;
                }
                after = page.Entries[^1].Name;
            }
            var want = string.Join(",", node.Children.Select(c => $"{c.Key}:{(c.Value.IsDirectory ? "d" : $"v{c.Value.Version}")}"));
            var got = string.Join(",", listed.Select(e => $"{e.Name}:{(e.Kind == EntryKind.Directory ? "d" : $"v{e.Version}")}"));
            Assert.True(want == got, $"listing of {path}: model [{want}], schema [{got}]");
        }
        var probe = RandomPath(random);
        var (expected, error) = model.Resolve(probe, probe.Length);
        var probePath = MetadataPath.Join(probe, probe.Length);
        if (error == MetadataErrorCode.NotADirectory)
        {
            Assert.Equal(MetadataErrorCode.NotADirectory, await ctx.RefusedAsync(() => ctx.Store.LookupAsync(probePath)));
        }
        else
        {
            Assert.True((expected is null) == (await ctx.Store.LookupAsync(probePath) is null), $"lookup of {probePath}");
        }
    }

    private static string[] RandomPath(Random random) =>
        [.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => Names[random.Next(Names.Length)])];
}
