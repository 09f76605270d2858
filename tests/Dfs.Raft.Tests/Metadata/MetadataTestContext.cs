using Dfs.Client.Metadata;
using Dfs.Raft.Metadata;

namespace Dfs.Raft.Tests.Metadata;

/// <summary>A metadata schema over a real in-process key-value store whose log time the test controls.</summary>
internal sealed class MetadataTestContext
{
    public MetadataTestContext(MetadataOptions? options = null)
    {
        Kv = new RecordingMetadataKv(KvMetadataAdapter.InProcess(() => NowMs));
        Store = new MetadataStore(Kv, options);
    }

    /// <summary>The time stamped on the next log entry.</summary>
    public long NowMs { get; set; } = 1_000_000;

    public RecordingMetadataKv Kv { get; }

    public MetadataStore Store { get; }

    public static NewVersion Content(params ulong[] chunkIds) =>
        new(chunkIds.Length * 10L, 0xC0FFEEu, 1_700_000_000_000, "application/octet-stream", [.. chunkIds.Select(id => new ChunkRef(id, 10, (uint)id, 1))]);

    /// <summary>Every key and value in the store, rendered so two dumps compare with Assert.Equal.</summary>
    public Task<string[]> DumpAsync() =>
        Kv.ReadAsync(view => view.Range([0x00], [], 0).Items
            .Select(kv => Convert.ToHexString(kv.Key.Span) + "=" + Convert.ToHexString(kv.Value.Span) + "@" + kv.ModRevision)
            .ToArray(), CancellationToken.None);

    /// <summary>Keys whose first byte is <paramref name="kind"/>.</summary>
    public Task<int> CountAsync(char kind) =>
        Kv.ReadAsync(view => view.Range([(byte)kind], [(byte)(kind + 1)], 0).Items.Count, CancellationToken.None);

    /// <summary>Total key and value bytes held under <paramref name="kind"/>.</summary>
    public Task<long> BytesAsync(char kind) =>
        Kv.ReadAsync(view => view.Range([(byte)kind], [(byte)(kind + 1)], 0).Items.Sum(kv => (long)kv.Key.Length + kv.Value.Length), CancellationToken.None);

    public async Task<MetadataErrorCode> RefusedAsync(Func<Task> action)
    {
        var e = await Assert.ThrowsAsync<MetadataException>(action);
        return e.Code;
    }

    /// <summary>Asserts that <paramref name="action"/> is refused with <paramref name="code"/> and changes no key.</summary>
    public async Task AssertRefusedUnchangedAsync(MetadataErrorCode code, Func<Task> action)
    {
        var before = await DumpAsync();
        Assert.Equal(code, await RefusedAsync(action));
        Assert.Equal(before, await DumpAsync());
    }
}
