using Dfs.Client.Metadata;
using Dfs.Client.Metadata.Protocol;
using Dfs.Common.Hashing;
using Dfs.Raft.Metadata;
using Dfs.Raft.Metadata.Service;

namespace Dfs.Raft.Tests.Metadata.Service;

/// <summary>Small files kept inline: the content in the version record, committed in the one transaction of the commit.</summary>
public sealed class InlineVersionTests
{
    [Fact]
    public async Task AnInlineCommit_NeedsNoAllocation_AndLookupAnswersItsBytesWithNoChunks()
    {
        var c = new ServiceTestContext();
        var bytes = Bytes(4096, 1);

        var committed = await c.Service.CommitAsync("/small", ExpectedVersion.None, Inline(bytes));
        var location = await c.Service.LookupAsync("/small");

        Assert.Equal(1, committed.Version);
        Assert.Equal(0, await c.CountAsync('A'));
        Assert.True(location.Version.IsInline);
        Assert.Empty(location.Chunks);
        Assert.Equal(bytes, location.Version.Inline!.Value.ToArray());
        Assert.Equal(4096, (await c.Service.StatAsync("/small")).Size);
    }

    [Fact]
    public async Task AnInlineCommit_IsOneWriteToTheLog()
    {
        var c = new ServiceTestContext();
        await c.Service.MkdirAsync("/d");
        var before = await RevisionAsync(c);

        await c.Service.CommitAsync("/d/f", ExpectedVersion.None, Inline(Bytes(100, 2)));
        await c.Service.CommitAsync("/d/f", ExpectedVersion.Is(1), Inline(Bytes(200, 3)));

        Assert.Equal(before + 2, await RevisionAsync(c));
    }

    [Fact]
    public async Task AnInlineCommit_LargerThanTheClustersThreshold_IsInvalidArgument_AndChangesNothing()
    {
        var c = new ServiceTestContext(options: new FileSystemServiceOptions { InlineFileBytes = 1024 });

        var message = await c.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidArgument,
            () => c.Service.CommitAsync("/f", ExpectedVersion.Any, Inline(Bytes(1025, 1))));

        Assert.Contains("1024", message, StringComparison.Ordinal);
        await c.Service.CommitAsync("/f", ExpectedVersion.Any, Inline(Bytes(1024, 1)));
    }

    [Fact]
    public async Task AnInlineCommit_WhenTheClusterKeepsNothingInline_IsInvalidArgument()
    {
        var c = new ServiceTestContext(options: new FileSystemServiceOptions { InlineFileBytes = 0 });

        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidArgument, () => c.Service.CommitAsync("/f", ExpectedVersion.Any, Inline(Bytes(1, 1))));
    }

    [Theory]
    [InlineData("checksum")]
    [InlineData("size")]
    [InlineData("chunks")]
    public async Task AnInlineVersion_ThatDoesNotAddUp_IsInvalidArgument_AndChangesNothing(string broken)
    {
        var c = new ServiceTestContext();
        var bytes = Bytes(64, 4);
        var good = Inline(bytes);
        var bad = broken switch
        {
            "checksum" => good with { Checksum = good.Checksum ^ 1 },
            "size" => good with { Size = 65 },
            _ => good with { Chunks = [new ChunkRef(1, 64, good.Checksum, 1)] },
        };

        await c.AssertRefusedUnchangedAsync(MetadataErrorCode.InvalidArgument, () => c.Service.CommitAsync("/f", ExpectedVersion.Any, bad));
    }

    [Fact]
    public async Task InlineVersions_AreKeptAndDroppedLikeChunkedOnes_AndLeaveNoGarbage()
    {
        var c = new ServiceTestContext(options: new FileSystemServiceOptions { VersionsKept = 2 });
        for (var v = 1; v <= 3; v++)
        {
            await c.Service.CommitAsync("/f", ExpectedVersion.Any, Inline(Bytes(10 * v, v)));
        }

        Assert.Equal([3L, 2L], (await c.Service.ListVersionsAsync("/f")).Select(v => v.Number));
        Assert.Equal(Bytes(20, 2), (await c.Service.LookupAsync("/f", 2)).Version.Inline!.Value.ToArray());
        Assert.Empty(await c.Service.Store.PendingGarbageAsync());
    }

    [Fact]
    public async Task AChunkedVersionReplacingAnInlineOne_AndBack_KeepBoth()
    {
        var c = new ServiceTestContext(options: new FileSystemServiceOptions { VersionsKept = 3 });
        await c.Service.CommitAsync("/f", ExpectedVersion.None, Inline(Bytes(5, 1)));
        var chunked = await c.AllocatedContentAsync("/f", 1);
        await c.Service.CommitAsync("/f", ExpectedVersion.Is(1), chunked);
        await c.Service.CommitAsync("/f", ExpectedVersion.Is(2), Inline(Bytes(7, 2)));

        var versions = await c.Service.ListVersionsAsync("/f");

        Assert.Equal([true, false, true], versions.Select(v => v.IsInline));
        Assert.Equal(chunked.Chunks, versions[1].Chunks);
        Assert.Equal(Bytes(5, 1), versions[2].Inline!.Value.ToArray());
    }

    [Fact]
    public async Task TheLargestInlineVersion_ReplacingAnother_FitsTheStoresValueAndCommandLimits()
    {
        var c = new ServiceTestContext(options: new FileSystemServiceOptions { InlineFileBytes = NewVersion.MaxInlineBytes });
        await c.Service.CommitAsync("/big", ExpectedVersion.None, Inline(Bytes(NewVersion.MaxInlineBytes, 1)));

        // This commit writes both versions at full size: the new current one and the one it replaces.
        await c.Service.CommitAsync("/big", ExpectedVersion.Is(1), Inline(Bytes(NewVersion.MaxInlineBytes, 2)));

        Assert.Equal(Bytes(NewVersion.MaxInlineBytes, 1), (await c.Service.LookupAsync("/big", 1)).Version.Inline!.Value.ToArray());
    }

    [Fact]
    public async Task AnInlineCommit_OverTheInternalProtocol_ReadsBackThroughIt()
    {
        var c = new ServiceTestContext();
        var bytes = Bytes(3000, 9);
        await c.SendAsync(new MetadataRequest(MetadataOp.Commit) { Path = "/w", Expected = 0, Content = Inline(bytes) }, 1);

        var location = MetadataResultCodec.DecodeLocation(await c.SendAsync(new MetadataRequest(MetadataOp.Lookup) { Path = "/w" }, 2, 2));
        var versions = MetadataResultCodec.DecodeVersions(await c.SendAsync(new MetadataRequest(MetadataOp.ListVersions) { Path = "/w" }, 3, 3));

        Assert.Equal(bytes, location.Version.Inline!.Value.ToArray());
        Assert.Equal(bytes, Assert.Single(versions).Inline!.Value.ToArray());
    }

    [Fact]
    public void StoredVersionRecords_WithoutInlineContent_KeepTheirFormerEncoding_AndInlineOnesAppendOnlyTheBytes()
    {
        var chunked = new FileVersion(2, 10, 7, 1_700_000_000_000, "t", [new ChunkRef(5, 10, 7, 1)]);
        var empty = new FileVersion(1, 0, 0, 1_700_000_000_000, "t", []);
        var bytes = Bytes(33, 5);
        var inline = empty with { Size = 33, Checksum = Crc32C.Compute(bytes), Inline = bytes };

        var decoded = MetadataCodec.DecodeVersion(MetadataCodec.EncodeVersion(chunked));
        Assert.Equal(chunked.Chunks, decoded.Chunks);
        Assert.Equal(chunked, decoded with { Chunks = chunked.Chunks });
        Assert.Null(MetadataCodec.DecodeVersion(MetadataCodec.EncodeVersion(empty)).Inline);
        var encoded = MetadataCodec.EncodeVersion(inline);
        Assert.Equal(MetadataCodec.EncodeVersion(empty with { Size = 33, Checksum = inline.Checksum }).Length + 33, encoded.Length);
        Assert.Equal(bytes, MetadataCodec.DecodeVersion(encoded).Inline!.Value.ToArray());
        Assert.Throws<InvalidDataException>(() => MetadataCodec.DecodeVersion(encoded.AsSpan(0, encoded.Length - 1)));
    }

    private static NewVersion Inline(byte[] bytes) => new(bytes.Length, Crc32C.Compute(bytes), 1_700_000_000_000, "text/plain", [], bytes);

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static Task<long> RevisionAsync(ServiceTestContext c) =>
        c.Kv.ReadAsync(view => view.Range([0x00], [], 0).Items.Max(kv => kv.ModRevision), CancellationToken.None);
}
