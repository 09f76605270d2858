using Dfs.Client.Metadata;
using Dfs.Client.Metadata.Protocol;
using Dfs.Raft.Master;
using Dfs.Raft.Metadata;
using Dfs.Raft.Metadata.Service;

namespace Dfs.Raft.Tests.Metadata.Service;

/// <summary>A file-system service over a real in-process store and a fake directory; log time follows <see cref="Time"/>.</summary>
internal sealed class ServiceTestContext
{
    public ServiceTestContext(TimeProvider? time = null, FileSystemServiceOptions? options = null)
    {
        Time = time ?? TimeProvider.System;
        Kv = KvMetadataAdapter.InProcess(() => Time.GetUtcNow().ToUnixTimeMilliseconds());
        Options = options ?? new FileSystemServiceOptions { ReplicationFactor = 3, VersionsKept = 2 };
        Service = new FileSystemService(Kv, Directory, AlwaysLeader.Instance, Options, Time);
    }

    public TimeProvider Time { get; }

    public KvMetadataAdapter Kv { get; }

    public FileSystemServiceOptions Options { get; }

    public FakeChunkServerDirectory Directory { get; } = new();

    public FileSystemService Service { get; }

    public Guid ClientId { get; } = Guid.NewGuid();

    /// <summary>Allocates <paramref name="chunks"/> chunks for <paramref name="path"/> and describes a version made of them (10 bytes each).</summary>
    public async Task<NewVersion> AllocatedContentAsync(string path, int chunks)
    {
        var refs = new List<ChunkRef>();
        for (var i = 0; i < chunks; i++)
        {
            var allocation = await Service.AllocateChunkAsync(path);
            refs.Add(new ChunkRef(allocation.Id.Value, 10, 7, allocation.Version));
        }
        return new NewVersion(chunks * 10L, 0xC0FFEE, 1_700_000_000_000, "text/plain", refs);
    }

    /// <summary>Sends <paramref name="request"/> as the internal protocol would, as sequence <paramref name="sequence"/> of this context's client.</summary>
    public Task<byte[]> SendAsync(MetadataRequest request, long sequence, long lowestUnanswered = 1) =>
        Service.HandleAsync(MetadataRequestCodec.Encode(request), new ClientRequest(ClientId, sequence, lowestUnanswered), CancellationToken.None);

    /// <summary>Every key and value in the store, rendered so two dumps compare with Assert.Equal.</summary>
    public Task<string[]> DumpAsync() =>
        Kv.ReadAsync(view => view.Range([0x00], [], 0).Items
            .Select(kv => Convert.ToHexString(kv.Key.Span) + "=" + Convert.ToHexString(kv.Value.Span) + "@" + kv.ModRevision)
            .ToArray(), CancellationToken.None);

    /// <summary>Keys whose first byte is <paramref name="kind"/>.</summary>
    public Task<int> CountAsync(char kind) =>
        Kv.ReadAsync(view => view.Range([(byte)kind], [(byte)(kind + 1)], 0).Items.Count, CancellationToken.None);

    /// <summary>Asserts that <paramref name="action"/> is refused with <paramref name="code"/> and changes no key; returns the message.</summary>
    public async Task<string> AssertRefusedUnchangedAsync(MetadataErrorCode code, Func<Task> action)
    {
        var before = await DumpAsync();
        var e = await Assert.ThrowsAsync<MetadataException>(action);
        Assert.Equal(code, e.Code);
        Assert.Equal(before, await DumpAsync());
        return e.Message;
    }
}
