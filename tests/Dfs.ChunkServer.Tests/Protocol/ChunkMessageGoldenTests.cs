using System.Buffers;
using Dfs.Client.Chunks;
using Dfs.Client.Chunks.Protocol;
using Dfs.Common.Framing;
using Dfs.Common.Wire;

namespace Dfs.ChunkServer.Tests.Protocol;

/// <summary>The exact bytes of every control message: the chunk protocol's wire format must not drift.</summary>
public sealed class ChunkMessageGoldenTests
{
    private static readonly ChunkInfo Info = new(new ChunkId(0x0102030405060708), 7, 65_537, 0xDEADBEEF);

    private static readonly Dictionary<string, (Func<string> Encode, Func<string, string> RoundTrip)> Cases = new()
    {
        ["ack"] = Case(new AckMessage(-2)),
        ["chunk-info"] = Case(new ChunkInfoMessage(Info)),
        ["commit"] = Case(new CommitRequest(1L << 40, 0x01020304)),
        ["copy-from"] = Case(new CopyFromRequest(new ChunkId(9), 3, new ChunkEndpoint("höst-1", 7001))),
        ["delete-reply"] = Case(new DeleteReply(int.MaxValue)),
        ["delete"] = Case(new DeleteRequest([new ChunkId(1), new ChunkId(ulong.MaxValue)])),
        ["delete-empty"] = Case(new DeleteRequest([])),
        ["error"] = Case(new ErrorMessage(ChunkErrorCode.StaleVersion, 2, "stale: version 3 < 4")),
        ["local-replica"] = Case(new LocalReplicaMessage(new LocalReplica(Info, "/data/chunks/0102", [0xAABBCCDD, 1]))),
        ["open-local"] = Case(new OpenLocalRequest(new ChunkId(42), 5)),
        ["read"] = Case(new ReadRequest(new ChunkId(42), 5, 4096, 1 << 20)),
        ["report-page"] = Case(new ReportPage(new StoreUsage(100, 200, 3), [Info, Info with { Id = new ChunkId(2) }])),
        ["status-reply"] = Case(new StatusReply(ChunkState.Committed, 4, 128, 0x11223344)),
        ["status"] = Case(new StatusRequest(new ChunkId(77))),
        ["write-block"] = Case(new WriteBlockRequest(new ChunkId(5), 2, false, 0, [new ChunkEndpoint("a", 1), new ChunkEndpoint("bb.example", 65535)])),
        ["write-block-resume"] = Case(new WriteBlockRequest(new ChunkId(5), 3, true, 8192, [])),
    };

    private static readonly Dictionary<string, string> Expected = new()
    {
        ["ack"] = "FEFFFFFFFFFFFFFF",
        ["chunk-info"] = "080706050403020107000000000000000100010000000000EFBEADDE",
        ["commit"] = "000000000001000004030201",
        ["copy-from"] = "09000000000000000300000000000000070068C3B673742D31591B",
        ["delete-reply"] = "FFFFFF7F",
        ["delete"] = "020000000100000000000000FFFFFFFFFFFFFFFF",
        ["delete-empty"] = "00000000",
        ["error"] = "02000214007374616C653A2076657273696F6E2033203C2034",
        ["local-replica"] = "080706050403020107000000000000000100010000000000EFBEADDE11002F646174612F6368756E6B732F3031303202000000DDCCBBAA01000000",
        ["open-local"] = "2A000000000000000500000000000000",
        ["read"] = "2A00000000000000050000000000000000100000000000000000100000000000",
        ["report-page"] = "6400000000000000C8000000000000000300000002000000080706050403020107000000000000000100010000000000EFBEADDE020000000000000007000000000000000100010000000000EFBEADDE",
        ["status-reply"] = "020400000000000000800000000000000044332211",
        ["status"] = "4D00000000000000",
        ["write-block"] = "050000000000000002000000000000000000000000000000000200000001006101000A0062622E6578616D706C65FFFF",
        ["write-block-resume"] = "0500000000000000030000000000000001002000000000000000000000",
    };

    public static TheoryData<string> Names => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void Message_EncodesToItsGoldenBytes_AndDecodesBackToThem(string name)
    {
        var (encode, roundTrip) = Cases[name];

        Assert.Equal(Expected[name], encode());
        Assert.Equal(Expected[name], roundTrip(Expected[name]));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void EveryTruncation_AndTrailingByte_IsAProtocolError(string name)
    {
        var bytes = Convert.FromHexString(Expected[name]);
        var (_, roundTrip) = Cases[name];
        for (var length = 0; length < bytes.Length; length++)
        {
            var cut = Convert.ToHexString(bytes, 0, length);
            var error = Assert.Throws<ChunkProtocolException>(() => roundTrip(cut));
            Assert.False(string.IsNullOrWhiteSpace(error.Message));
        }
        Assert.Throws<ChunkProtocolException>(() => roundTrip(Expected[name] + "00"));
    }

    private static (Func<string>, Func<string, string>) Case<T>(T message)
        where T : IChunkMessage<T> =>
        (() => Encode(message), hex => Encode(ChunkWire.Parse<T>(new Frame(default, new ReadOnlySequence<byte>(Convert.FromHexString(hex))))));

    private static string Encode<T>(T message)
        where T : IChunkMessage<T>
    {
        var bytes = new byte[message.Size];
        var writer = new WireWriter(bytes);
        message.Write(ref writer);
        Assert.Equal(bytes.Length, writer.Position);
        return Convert.ToHexString(bytes);
    }
}
