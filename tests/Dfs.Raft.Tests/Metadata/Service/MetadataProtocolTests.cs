using System.Buffers;
using Dfs.Client.Chunks;
using Dfs.Client.ChunkServers;
using Dfs.Client.Master.Protocol;
using Dfs.Client.Metadata;
using Dfs.Client.Metadata.Protocol;

namespace Dfs.Raft.Tests.Metadata.Service;

/// <summary>The Metadata request and result codecs, and the metadata error on the master protocol.</summary>
public sealed class MetadataProtocolTests
{
    private static readonly ChunkServerAddress[] Servers = [new("c1", "10.0.0.1", 7201), new("c2", "host-two", 65535)];
    private static readonly ChunkRef[] Chunks = [new(1, 10, 0xDEADBEEF, 1), new(ulong.MaxValue, 0, 0, 7)];

    public static TheoryData<string> Ops() => [.. Requests().Keys];

    private static Dictionary<string, MetadataRequest> Requests() => new()
    {
        ["lookup"] = new(MetadataOp.Lookup) { Path = "/a/ü", Version = 3 },
        ["lookup-current"] = new(MetadataOp.Lookup) { Path = "/a" },
        ["stat"] = new(MetadataOp.Stat) { Path = "/s" },
        ["list"] = new(MetadataOp.List) { Path = "/d", StartAfter = "m", Limit = 50 },
        ["list-first"] = new(MetadataOp.List) { Path = "/d", Limit = 1000 },
        ["versions"] = new(MetadataOp.ListVersions) { Path = "/v" },
        ["mkdir"] = new(MetadataOp.Mkdir) { Path = "/m", Flag = true },
        ["rename"] = new(MetadataOp.Rename) { Path = "/x", Target = "/y", Flag = true },
        ["delete"] = new(MetadataOp.Delete) { Path = "/x", Flag = true, Expected = 4, LockOwner = "me" },
        ["delete-any"] = new(MetadataOp.Delete) { Path = "/x", Expected = -1 },
        ["allocate"] = new(MetadataOp.AllocateChunk) { Path = "/f", Exclude = ["c1", "c3"] },
        ["allocate-batch"] = new(MetadataOp.AllocateChunks) { Path = "/f", Count = 64 },
        ["bump"] = new(MetadataOp.BumpChunkVersion) { ChunkId = 0xFFEE, ChunkVersion = 2, Survivors = Servers },
        ["commit"] = new(MetadataOp.Commit)
        {
            Path = "/f",
            Expected = 0,
            Content = new NewVersion(10, 0xABCDEF01, 1_700_000_000_000, "text/plain", Chunks),
            LockOwner = "w",
        },
        ["commit-inline"] = new(MetadataOp.Commit)
        {
            Path = "/small",
            Expected = -1,
            Content = new NewVersion(3, Dfs.Common.Hashing.Crc32C.Compute([1, 2, 3]), 1_700_000_000_000, "text/plain", [], new byte[] { 1, 2, 3 }),
        },
        ["lock"] = new(MetadataOp.Lock) { Path = "/l", Owner = "o", TtlMs = 30_000, WaitMs = 5_000 },
        ["renew"] = new(MetadataOp.RenewLock) { Path = "/l", Owner = "o", LeaseId = long.MaxValue },
        ["unlock"] = new(MetadataOp.Unlock) { Path = "/l", Owner = "o", LeaseId = 9 },
        ["queue"] = new(MetadataOp.LockQueue) { Path = "/l" },
        ["servers"] = new(MetadataOp.ChunkServers),
        ["drain"] = new(MetadataOp.Drain) { ServerId = "c2", Flag = true },
    };

    [Theory]
    [MemberData(nameof(Ops))]
    public void EveryRequest_RoundTrips(string name)
    {
        var request = Requests()[name];

        var decoded = MetadataRequestCodec.Decode(MetadataRequestCodec.Encode(request));

        Assert.Equal(Describe(request), Describe(decoded));
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void EveryTruncatedOrExtendedRequest_IsRefusedAsInvalidArgument(string name)
    {
        var bytes = MetadataRequestCodec.Encode(Requests()[name]);
        for (var length = 0; length < bytes.Length; length++)
        {
            var e = Assert.Throws<MetadataException>(() => MetadataRequestCodec.Decode(bytes.AsSpan(0, length)));
            Assert.Equal(MetadataErrorCode.InvalidArgument, e.Code);
        }
        Assert.Equal(MetadataErrorCode.InvalidArgument, Assert.Throws<MetadataException>(() => MetadataRequestCodec.Decode([.. bytes, 0])).Code);
    }

    [Fact]
    public void RandomBytes_AreRefusedOnlyAsInvalidArgument()
    {
        var random = new Random(1234);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 40)];
            random.NextBytes(bytes);
            if (bytes.Length > 0)
            {
                bytes[0] = (byte)random.Next(0, 18);
            }
            try
            {
                MetadataRequestCodec.Decode(bytes);
            }
            catch (MetadataException e)
            {
                Assert.Equal(MetadataErrorCode.InvalidArgument, e.Code);
            }
        }
    }

    [Fact]
    public void ARequestWithInvalidUtf8_IsRefused()
    {
        byte[] bytes = [(byte)MetadataOp.Stat, 2, 0xC3, 0x28];

        Assert.Equal(MetadataErrorCode.InvalidArgument, Assert.Throws<MetadataException>(() => MetadataRequestCodec.Decode(bytes)).Code);
    }

    [Fact]
    public void EveryResult_RoundTrips()
    {
        var entry = new MetadataEntry("f", EntryKind.File, 42, 10, 3, 1_700_000_000_000);
        var version = new FileVersion(3, 10, 0xFEEDF00D, 1_700_000_000_000, "text/plain", Chunks);
        var location = new FileLocation("/d/f", entry, version, [new LocatedChunk(Chunks[0], Servers), new LocatedChunk(Chunks[1], [])]);
        var page = new DirectoryPage([entry, new MetadataEntry("d", EntryKind.Directory, 7, 0, 0, 5)], true);
        var grant = new LockGrant(false, "o", 12, 2, new LockHolder("h", 11), 99);
        var view = new ChunkServersView([new ChunkServerView("c1", "h", 7201, true, true, false, 100, 40, 60, 12, 3, 4321, -1)], 3, 5, 2);

        Assert.Equal(Describe(location), Describe(MetadataResultCodec.DecodeLocation(MetadataResultCodec.Encode(location))));
        Assert.Equal(entry, MetadataResultCodec.DecodeEntry(MetadataResultCodec.Encode(entry)));
        Assert.Equal(Describe(page), Describe(MetadataResultCodec.DecodePage(MetadataResultCodec.Encode(page))));
        Assert.Equal(Describe(new[] { version }), Describe(MetadataResultCodec.DecodeVersions(MetadataResultCodec.Encode([version]))));
        Assert.True(MetadataResultCodec.DecodeBoolean(MetadataResultCodec.Encode(true)));
        MetadataResultCodec.DecodeEmpty(MetadataResultCodec.Empty);
        var delete = MetadataResultCodec.DecodeDelete(MetadataResultCodec.Encode(new DeleteResult(3, [1, 2])));
        Assert.Equal(3, delete.EntriesDeleted);
        Assert.Equal([1UL, 2UL], delete.DroppedChunkIds);
        var allocation = MetadataResultCodec.DecodeAllocation(MetadataResultCodec.Encode(new ChunkAllocation(new ChunkId(5), 2, Servers)));
        Assert.Equal((new ChunkId(5), 2L, Servers), (allocation.Id, allocation.Version, allocation.Pipeline.ToArray()), new TupleComparer());
        var batch = MetadataResultCodec.DecodeAllocations(MetadataResultCodec.Encode(
            [new ChunkAllocation(new ChunkId(5), 1, Servers), new ChunkAllocation(new ChunkId(6), 1, Servers[..1])]));
        Assert.Equal(["5|1|" + string.Join(",", Servers.Select(s => s.Id)), "6|1|" + Servers[0].Id],
            batch.Select(a => $"{a.Id.Value}|{a.Version}|{string.Join(",", a.Pipeline.Select(s => s.Id))}"));
        var commit = MetadataResultCodec.DecodeCommit(MetadataResultCodec.Encode(new CommitResult(4, [1, 2], [9])));
        Assert.Equal("4|1,2|9", $"{commit.Version}|{string.Join(",", commit.DroppedVersions)}|{string.Join(",", commit.DroppedChunkIds)}");
        Assert.Equal(grant, MetadataResultCodec.DecodeGrant(MetadataResultCodec.Encode(grant)));
        Assert.Equal([new LockHolder("a", 1), new LockHolder("b", 2)], MetadataResultCodec.DecodeHolders(MetadataResultCodec.Encode([new LockHolder("a", 1), new LockHolder("b", 2)])));
        var decodedView = MetadataResultCodec.DecodeChunkServers(MetadataResultCodec.Encode(view));
        Assert.Equal(view.Servers, decodedView.Servers);
        Assert.Equal((3, 5, 2), (decodedView.ReplicationFactor, decodedView.UnderReplicatedChunks, decodedView.ReplicationsInFlight));
    }

    [Fact]
    public void AnInlineVersion_RoundTripsInLocationsAndVersionLists_WithItsBytesRightAfterItsEmptyChunkList()
    {
        byte[] bytes = [9, 8, 7, 6];
        var entry = new MetadataEntry("f", EntryKind.File, 42, 4, 3, 1_700_000_000_000);
        var inline = new FileVersion(3, 4, Dfs.Common.Hashing.Crc32C.Compute(bytes), 1_700_000_000_000, "text/plain", [], bytes);
        var chunkless = inline with { Size = 0, Checksum = 0, Inline = null };
        var location = new FileLocation("/f", entry, inline, []);

        var decoded = MetadataResultCodec.DecodeLocation(MetadataResultCodec.Encode(location));
        var listed = MetadataResultCodec.DecodeVersions(MetadataResultCodec.Encode([inline, chunkless]));

        Assert.Equal(bytes, decoded.Version.Inline!.Value.ToArray());
        Assert.Equal(bytes, listed[0].Inline!.Value.ToArray());
        Assert.Null(listed[1].Inline);
        Assert.Equal(MetadataResultCodec.Encode([inline with { Size = 0, Inline = null }]).Length + bytes.Length, MetadataResultCodec.Encode([inline]).Length);
    }

    [Fact]
    public void TruncatedResults_AreInvalidData()
    {
        var location = MetadataResultCodec.Encode(new FileLocation("/f", new MetadataEntry("f", EntryKind.File, 1, 10, 1, 1),
            new FileVersion(1, 10, 1, 1, "", Chunks), [new LocatedChunk(Chunks[0], Servers)]));
        for (var length = 0; length < location.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => MetadataResultCodec.DecodeLocation(location.AsSpan(0, length)));
        }
        Assert.Throws<InvalidDataException>(() => MetadataResultCodec.DecodeEmpty([1]));
    }

    [Fact]
    public void AMetadataError_CrossesTheMasterProtocol_AsAMetadataExceptionWithItsCodeAndMessage()
    {
        var buffer = new ArrayBufferWriter<byte>();
        MasterProtocol.WriteResponse(buffer, MasterResponse.Failed(new MasterError(MasterErrorCode.Metadata, "'/x' is locked by client 'b'.")
        {
            MetadataCode = MetadataErrorCode.Locked,
        }));

        var response = MasterProtocol.ReadResponse(new ReadOnlySequence<byte>(buffer.WrittenMemory));

        var e = Assert.IsType<MetadataException>(response.Error!.ToException());
        Assert.Equal(MetadataErrorCode.Locked, e.Code);
        Assert.Equal("'/x' is locked by client 'b'.", e.Message);
        Assert.False(MasterErrorCode.Metadata.IsRetryable());
    }

    [Fact]
    public void AMetadataErrorWithoutAKnownCode_IsInvalidData()
    {
        byte[] missing = [(byte)MasterErrorCode.Metadata, 0, 0];
        byte[] unknown = [(byte)MasterErrorCode.Metadata, 0, 0, 200, (byte)'x'];

        Assert.Throws<InvalidDataException>(() => MasterProtocol.ReadResponse(new ReadOnlySequence<byte>(missing)));
        Assert.Throws<InvalidDataException>(() => MasterProtocol.ReadResponse(new ReadOnlySequence<byte>(unknown)));
    }

    [Fact]
    public void AMetadataRequestKind_CrossesTheMasterProtocol()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var client = Guid.NewGuid();
        MasterProtocol.WriteRequest(buffer, MasterRequestKind.Metadata, client, 5, 3, [1, 2, 3]);

        var request = MasterProtocol.ReadRequest(new ReadOnlySequence<byte>(buffer.WrittenMemory));

        Assert.Equal((MasterRequestKind.Metadata, client, 5L, 3L), (request.Kind, request.ClientId, request.Sequence, request.LowestUnanswered));
        Assert.Equal([1, 2, 3], request.Command.ToArray());
    }

    private static string Describe(object value) => System.Text.Json.JsonSerializer.Serialize(value, value.GetType());

    private sealed class TupleComparer : IEqualityComparer<(ChunkId, long, ChunkServerAddress[])>
    {
        public bool Equals((ChunkId, long, ChunkServerAddress[]) x, (ChunkId, long, ChunkServerAddress[]) y) =>
            x.Item1 == y.Item1 && x.Item2 == y.Item2 && x.Item3.SequenceEqual(y.Item3);

        public int GetHashCode((ChunkId, long, ChunkServerAddress[]) obj) => obj.Item1.GetHashCode();
    }
}
