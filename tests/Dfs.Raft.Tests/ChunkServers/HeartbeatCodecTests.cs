using System.Buffers;
using Dfs.Client.Chunks.Protocol;
using Dfs.Client.ChunkServers;
using Dfs.Common.Wire;

namespace Dfs.Raft.Tests.ChunkServers;

public sealed class HeartbeatCodecTests
{
    private static readonly HeartbeatRequest Request = new("c1", "127.0.0.1", 7201, 1000, 300, 700, 2, 42, false, 0, false,
        [new ReportedChunk(0x0102030405060708, 3, 65536)], [9], [new ReportedChunk(5, 1, 10)])
    {
        FailedCopies = [new ReportedChunk(6, 2, 0)],
    };

    private static readonly HeartbeatReply Reply = new(true, "m2", 5, true, [7],
        [new ReplicateCommand(11, 2, [new ChunkEndpoint("127.0.0.1", 7202), new ChunkEndpoint("h", 1)])]);

    private const string RequestHex =
        "020063310900313237" +
        "2e302e302e31211cd00fd804f80a0454000001080706050403020106808008010900000000000000010500000000000000" + "0214" + "010600000000000000" + "0400";

    private const string ReplyHex = "0302006d320a010700000000000000010b0000000000000004020900313237" +
        "2e302e302e31221c0100680100";

    [Fact]
    public void Request_HasTheGoldenEncoding_AndRoundTrips()
    {
        var bytes = Encode(w => HeartbeatProtocol.Write(w, Request));
        Assert.Equal(RequestHex, Convert.ToHexStringLower(bytes));
        var back = HeartbeatProtocol.ReadRequest(new ReadOnlySequence<byte>(bytes));
        Assert.Equal(Request with { Added = [], Removed = [], Corrupt = [], FailedCopies = [] }, back with { Added = [], Removed = [], Corrupt = [], FailedCopies = [] });
        Assert.Equal(Request.Added, back.Added);
        Assert.Equal(Request.Removed, back.Removed);
        Assert.Equal(Request.Corrupt, back.Corrupt);
        Assert.Equal(Request.FailedCopies, back.FailedCopies);
    }

    [Fact]
    public void Reply_HasTheGoldenEncoding_AndRoundTrips()
    {
        var bytes = Encode(w => HeartbeatProtocol.Write(w, Reply));
        Assert.Equal(ReplyHex, Convert.ToHexStringLower(bytes));
        var back = HeartbeatProtocol.ReadReply(new ReadOnlySequence<byte>(bytes));
        Assert.Equal((Reply.IsLeader, Reply.LeaderId, Reply.Term, Reply.SendFullReport), (back.IsLeader, back.LeaderId, back.Term, back.SendFullReport));
        Assert.Equal(Reply.Delete, back.Delete);
        var command = Assert.Single(back.Replicate);
        Assert.Equal((11UL, 2L), (command.ChunkId, command.Version));
        Assert.Equal(Reply.Replicate[0].Sources, command.Sources);
    }

    [Fact]
    public void FullReportPage_RoundTrips_AcrossSegments()
    {
        var page = Request with
        {
            FullReport = true,
            ReportPage = 3,
            LastPage = true,
            Removed = [],
            Added = Enumerable.Range(0, HeartbeatProtocol.MaxChunksPerHeartbeat).Select(i => new ReportedChunk((ulong)i, i, i * 10L)).ToArray(),
        };
        var bytes = Encode(w => HeartbeatProtocol.Write(w, page));
        var split = Segments(bytes, 1000);

        var back = HeartbeatProtocol.ReadRequest(split);

        Assert.Equal((true, 3, true), (back.FullReport, back.ReportPage, back.LastPage));
        Assert.Equal(page.Added, back.Added);
    }

    [Fact]
    public void EveryTruncation_AndTrailingBytes_AreRejected()
    {
        foreach (var bytes in new[] { Encode(w => HeartbeatProtocol.Write(w, Request)), Encode(w => HeartbeatProtocol.Write(w, Reply)) })
        {
            var isRequest = bytes[0] == 2 && bytes[2] == (byte)'c';
            for (var length = 0; length < bytes.Length; length++)
            {
                var cut = new ReadOnlySequence<byte>(bytes.AsMemory(0, length));
                Assert.ThrowsAny<WireFormatException>(() => Read(cut, isRequest));
            }
            var longer = new ReadOnlySequence<byte>([.. bytes, 0]);
            Assert.ThrowsAny<WireFormatException>(() => Read(longer, isRequest));
        }
    }

    [Fact]
    public void RandomGarbage_IsRejectedWithAFormatError_NeverAnotherException()
    {
        var random = new Random(1234);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 80)];
            random.NextBytes(bytes);
            foreach (var asRequest in new[] { true, false })
            {
                try
                {
                    Read(new ReadOnlySequence<byte>(bytes), asRequest);
                }
                catch (WireFormatException)
                {
                }
            }
        }
    }

    [Fact]
    public void ForgedCounts_AreRejectedBeforeAllocating()
    {
        // A count of 2^31-1 added chunks in a request with nothing behind it.
        var forged = Encode(w => HeartbeatProtocol.Write(w, Request with { Added = [], Removed = [], Corrupt = [], FailedCopies = [] }));
        var addedAt = forged.Length - 4;
        byte[] bytes = [.. forged[..addedAt], 0xff, 0xff, 0xff, 0xff, 0x07, 0, 0, 0];
        var e = Assert.ThrowsAny<WireFormatException>(() => HeartbeatProtocol.ReadRequest(new ReadOnlySequence<byte>(bytes)));
        Assert.Contains("added chunks", e.Message);
    }

    [Fact]
    public void DeltaWithAPageNumber_OrFullReportWithRemovals_AreRejected()
    {
        var delta = Encode(w => HeartbeatProtocol.Write(w, Request with { ReportPage = 2 }));
        Assert.ThrowsAny<WireFormatException>(() => HeartbeatProtocol.ReadRequest(new ReadOnlySequence<byte>(delta)));
        var full = Encode(w => HeartbeatProtocol.Write(w, Request with { FullReport = true }));
        Assert.ThrowsAny<WireFormatException>(() => HeartbeatProtocol.ReadRequest(new ReadOnlySequence<byte>(full)));
    }

    private static object Read(ReadOnlySequence<byte> bytes, bool request) =>
        request ? HeartbeatProtocol.ReadRequest(bytes) : HeartbeatProtocol.ReadReply(bytes);

    private static byte[] Encode(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private static ReadOnlySequence<byte> Segments(byte[] bytes, int size)
    {
        Segment? first = null;
        Segment? last = null;
        for (var at = 0; at < bytes.Length; at += size)
        {
            var next = new Segment(bytes.AsMemory(at, Math.Min(size, bytes.Length - at)), last);
            first ??= next;
            last = next;
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, Segment? previous)
        {
            Memory = memory;
            if (previous is not null)
            {
                RunningIndex = previous.RunningIndex + previous.Memory.Length;
                previous.Next = this;
            }
        }
    }
}
