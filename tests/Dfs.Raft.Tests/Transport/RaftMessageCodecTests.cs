using System.Buffers;
using System.Text;
using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Messages;
using Dfs.Raft.Consensus.Transport;

namespace Dfs.Raft.Tests.Transport;

public sealed class RaftMessageCodecTests
{
    public static TheoryData<int> SampleIndexes => new(Enumerable.Range(0, Samples().Count));

    private static List<RaftMessage> Samples() =>
    [
        new RequestVote("m1", "m2", 7, 120, 6, PreVote: true, LeadershipTransfer: false),
        new RequestVote("m1", "m3", 8, 0, 0, PreVote: false, LeadershipTransfer: true),
        new RequestVoteResponse("m2", "m1", 7, PreVote: true, Granted: true),
        new RequestVoteResponse("m2", "m1", 9, PreVote: false, Granted: false),
        new AppendEntries("m1", "m2", 3, 10, 2, [], 9, 0),
        new AppendEntries("m1", "m2", 3, 10, 2,
        [
            new LogEntry(3, 11, EntryKind.NoOp, ReadOnlyMemory<byte>.Empty),
            new LogEntry(3, 12, EntryKind.Command, Encoding.UTF8.GetBytes("put /a 1")),
            new LogEntry(3, 13, EntryKind.Configuration, new ClusterConfiguration(["m1", "m2"], ["m4"]).Encode()),
        ], 11, 42),
        new AppendEntriesResponse("m2", "m1", 3, true, 13, 0, 0, 0, 42),
        new AppendEntriesResponse("m2", "m1", 3, false, 0, 10, 5, 2, 0),
        new InstallSnapshotResponse("m2", "m1", 4, true, 500),
        new TimeoutNow("m1", "m2", 5),
        new RequestVote("nœud-é", "m2", long.MaxValue, long.MaxValue, 1, false, false),
    ];

    [Theory]
    [MemberData(nameof(SampleIndexes))]
    public void EveryMessage_RoundTrips_ToAnEqualMessage(int sample)
    {
        var original = Samples()[sample];
        var decoded = RoundTrip(original);

        Assert.Equal(original.GetType(), decoded.GetType());
        if (original is AppendEntries sent)
        {
            var received = (AppendEntries)decoded;
            Assert.Equal(sent with { Entries = [] }, received with { Entries = [] });
            Assert.Equal(sent.Entries.Count, received.Entries.Count);
            for (var i = 0; i < sent.Entries.Count; i++)
            {
                Assert.Equal((sent.Entries[i].Term, sent.Entries[i].Index, sent.Entries[i].Kind), (received.Entries[i].Term, received.Entries[i].Index, received.Entries[i].Kind));
                Assert.Equal(sent.Entries[i].Payload.ToArray(), received.Entries[i].Payload.ToArray());
            }
        }
        else
        {
            Assert.Equal(original, decoded);
        }
    }

    [Fact]
    public void InstallSnapshot_RoundTrips_MetadataAndAnnouncedLength()
    {
        var metadata = new SnapshotMetadata(900, 12, new ClusterConfiguration(["m1", "m2", "m3"], ["m4"]));
        var original = new InstallSnapshot("m1", "m4", 12, metadata, new MemorySnapshotPayload(new byte[12345]));
        var writer = new ArrayBufferWriter<byte>();
        RaftMessageCodec.Write(original, writer);

        var (message, length) = RaftMessageCodec.ReadSnapshotHeader(new ReadOnlySequence<byte>(writer.WrittenMemory));

        Assert.Equal(12345, length);
        Assert.Null(message.Payload);
        Assert.Equal((original.From, original.To, original.Term), (message.From, message.To, message.Term));
        Assert.Equal(metadata, message.Metadata);
    }

    [Fact]
    public void AppendEntries_SplitAcrossSegments_DecodesTheSame()
    {
        var original = (AppendEntries)Samples()[5];
        var writer = new ArrayBufferWriter<byte>();
        RaftMessageCodec.Write(original, writer);
        var bytes = writer.WrittenMemory.ToArray();

        var decoded = (AppendEntries)RaftMessageCodec.Read(RaftFrameType.AppendEntries, Segmented(bytes, 3));

        Assert.Equal(original.Entries.Select(e => Convert.ToHexString(e.Payload.Span)), decoded.Entries.Select(e => Convert.ToHexString(e.Payload.Span)));
    }

    [Fact]
    public void EveryTruncation_OfEveryMessage_IsRejectedWithCodecException()
    {
        foreach (var message in Samples())
        {
            var writer = new ArrayBufferWriter<byte>();
            RaftMessageCodec.Write(message, writer);
            var bytes = writer.WrittenMemory.ToArray();
            var type = RaftMessageCodec.FrameTypeOf(message);
            for (var length = 0; length < bytes.Length; length++)
            {
                var cut = new ReadOnlySequence<byte>(bytes, 0, length);
                var error = Assert.Throws<RaftCodecException>(() => RaftMessageCodec.Read(type, cut));
                Assert.False(string.IsNullOrWhiteSpace(error.Message));
            }
        }
    }

    [Fact]
    public void TrailingBytes_AreRejected()
    {
        var writer = new ArrayBufferWriter<byte>();
        RaftMessageCodec.Write(new TimeoutNow("m1", "m2", 5), writer);
        var bytes = writer.WrittenMemory.ToArray().Append((byte)0).ToArray();

        var error = Assert.Throws<RaftCodecException>(() => RaftMessageCodec.Read(RaftFrameType.TimeoutNow, new ReadOnlySequence<byte>(bytes)));
        Assert.Contains("trailing", error.Message);
    }

    [Fact]
    public void UnknownFrameType_IsRejectedNamingTheType()
    {
        var error = Assert.Throws<RaftCodecException>(() => RaftMessageCodec.Read(0x7777, new ReadOnlySequence<byte>(new byte[32])));
        Assert.Contains("0x7777", error.Message);
    }

    [Fact]
    public void EntryCountLargerThanTheFrame_IsRejectedWithoutAllocatingIt()
    {
        var writer = new ArrayBufferWriter<byte>();
        RaftMessageCodec.Write(new AppendEntries("m1", "m2", 1, 0, 0, [], 0, 0), writer);
        var bytes = writer.WrittenMemory.ToArray();
        BitConverter.TryWriteBytes(bytes.AsSpan(bytes.Length - 4), int.MaxValue);

        var error = Assert.Throws<RaftCodecException>(() => RaftMessageCodec.Read(RaftFrameType.AppendEntries, new ReadOnlySequence<byte>(bytes)));
        Assert.Contains("entries", error.Message);
    }

    [Fact]
    public void UnknownEntryKind_IsRejected()
    {
        var message = new AppendEntries("m1", "m2", 1, 0, 0, [new LogEntry(1, 1, EntryKind.Command, new byte[] { 1, 2 })], 0, 0);
        var writer = new ArrayBufferWriter<byte>();
        RaftMessageCodec.Write(message, writer);
        var bytes = writer.WrittenMemory.ToArray();
        bytes[^(2 + 4 + 1)] = 9; // the kind byte of the only entry

        var error = Assert.Throws<RaftCodecException>(() => RaftMessageCodec.Read(RaftFrameType.AppendEntries, new ReadOnlySequence<byte>(bytes)));
        Assert.Contains("kind 9", error.Message);
    }

    [Fact]
    public void RandomGarbage_IsRejectedOnlyWithCodecException()
    {
        var random = new Random(1234);
        ushort[] types = [RaftFrameType.RequestVote, RaftFrameType.RequestVoteResponse, RaftFrameType.AppendEntries,
            RaftFrameType.AppendEntriesResponse, RaftFrameType.InstallSnapshot, RaftFrameType.InstallSnapshotResponse, RaftFrameType.TimeoutNow];
        var rejected = 0;
        for (var i = 0; i < 5000; i++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            try
            {
                RaftMessageCodec.Read(types[i % types.Length], new ReadOnlySequence<byte>(bytes));
            }
            catch (RaftCodecException)
            {
                rejected++;
            }
        }
        Assert.True(rejected > 4500, $"Expected nearly all random frames rejected, saw {rejected} of 5000.");
    }

    private static RaftMessage RoundTrip(RaftMessage message)
    {
        var writer = new ArrayBufferWriter<byte>();
        RaftMessageCodec.Write(message, writer);
        return RaftMessageCodec.Read(RaftMessageCodec.FrameTypeOf(message), new ReadOnlySequence<byte>(writer.WrittenMemory));
    }

    private static ReadOnlySequence<byte> Segmented(byte[] bytes, int segmentSize)
    {
        Segment? first = null;
        Segment? last = null;
        for (var offset = 0; offset < bytes.Length; offset += segmentSize)
        {
            var memory = bytes.AsMemory(offset, Math.Min(segmentSize, bytes.Length - offset));
            last = last is null ? first = new Segment(memory, 0) : last.Append(memory);
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
