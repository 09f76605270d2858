using System.Buffers;
using System.Text;
using Dfs.Client.Kv;
using Dfs.Client.Master.Protocol;
using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Messages;
using Dfs.Raft.Consensus.Sessions;
using Dfs.Raft.Consensus.Transport;
using static Dfs.Raft.Tests.Kv.KvTestMachine;

namespace Dfs.Raft.Tests.Wire;

/// <summary>
/// The exact bytes of the Raft messages, the key-value command and result, the command envelope and the master
/// protocol: each sample encodes to its golden bytes, and decoding those bytes and encoding again gives them back.
/// </summary>
public sealed class WireGoldenTests
{
    private static readonly Guid ClientId = Guid.Parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");

    private static readonly Dictionary<string, (Func<string> Encode, Func<string, string> RoundTrip)> Cases = new()
    {
        ["raft-request-vote"] = Raft(new RequestVote("m1", "m2", 7, 120, 6, PreVote: true, LeadershipTransfer: true)),
        ["raft-request-vote-response"] = Raft(new RequestVoteResponse("m2", "m1", 7, PreVote: false, Granted: true)),
        ["raft-append-entries-empty"] = Raft(new AppendEntries("m1", "m2", 3, 10, 2, [], 9, 5)),
        ["raft-append-entries"] = Raft(new AppendEntries("nœud", "m2", 3, 10, 2,
        [
            new LogEntry(3, 11, EntryKind.NoOp, ReadOnlyMemory<byte>.Empty),
            new LogEntry(3, 12, EntryKind.Command, Encoding.UTF8.GetBytes("put")),
            new LogEntry(3, 13, EntryKind.Configuration, new ClusterConfiguration(["m1", "m2"], ["m4"]).Encode()),
        ], 11, 42)),
        ["raft-append-entries-response"] = Raft(new AppendEntriesResponse("m2", "m1", 3, false, 0, 10, 5, 2, -1)),
        ["raft-install-snapshot"] = Raft(new InstallSnapshot("m1", "m4", 12,
            new SnapshotMetadata(900, 12, new ClusterConfiguration(["m1", "m2", "m3"], ["m4"])), new MemorySnapshotPayload(new byte[300]))),
        ["raft-install-snapshot-response"] = Raft(new InstallSnapshotResponse("m2", "m1", 4, true, 500)),
        ["raft-timeout-now"] = Raft(new TimeoutNow("m1", "m2", long.MaxValue)),
        ["kv-put"] = Kv(KvCommand.Put(B("/files/a"), B("value"), leaseId: 77, previousValue: true)),
        ["kv-range"] = Kv(new KvOpCommand(KvOp.Range(B("a"), B("z"), 300))),
        ["kv-txn"] = Kv(KvCommand.Txn(
            [
                KvCompare.ValueIs(B("a"), KvCompareOperator.Less, B("zz")),
                KvCompare.ModRevisionIs(B("a"), KvCompareOperator.Greater, -5),
                KvCompare.CreateRevisionIs(B("b"), KvCompareOperator.NotEqual, 1L << 40),
            ],
            [KvOp.Put(B("a"), B("1"), 3), KvOp.DeletePrefix(B("p/"))],
            [KvOp.Get(B("a")), KvOp.Delete(B("b"))])),
        ["kv-grant"] = Kv(KvCommand.GrantLease(long.MaxValue, 30_000)),
        ["kv-revoke"] = Kv(KvCommand.RevokeLease(300)),
        ["kv-clock"] = Kv(KvCommand.AdvanceClock()),
        ["kv-result"] = KvResultCase(new KvResult(KvStatus.Ok, null, 42, true,
            [
                new KvOpResult(KvOpKind.Range, [new KvKeyValue(B("k"), B("v"), 1, 2, 3, 4)], true, 0),
                new KvOpResult(KvOpKind.DeleteRange, [], false, 170),
            ],
            new KvLeaseInfo(9, 1_000, 5_000))),
        ["kv-result-error"] = KvResultCase(KvResult.Failure(KvStatus.LeaseNotFound, "Lease 9 — gone", 3)),
        ["envelope"] = Envelope(new CommandEnvelope(ClientId, 42, 40, 1_700_000_000_123, new byte[] { 1, 2, 3 })),
        ["master-request"] = MasterRequestCase(MasterRequestKind.Read, 9, 7, [0xAA, 0xBB]),
        ["master-response-ok"] = MasterResponseCase(MasterResponse.Ok(new byte[] { 1, 2, 3 })),
        ["master-response-not-leader"] = MasterResponseCase(MasterResponse.Failed(new MasterError(MasterErrorCode.NotLeader, "ask m2", "m2"))),
        ["master-response-error"] = MasterResponseCase(MasterResponse.Failed(new MasterError(MasterErrorCode.InvalidArgument, "bad — key"))),
    };

    private static readonly Dictionary<string, string> Expected = new()
    {
        ["raft-request-vote"] = "02006D3102006D3207000000000000007800000000000000060000000000000003",
        ["raft-request-vote-response"] = "02006D3202006D31070000000000000002",
        ["raft-append-entries-empty"] = "02006D3102006D3203000000000000000A0000000000000002000000000000000900000000000000050000000000000000000000",
        ["raft-append-entries"] = "05006EC593756402006D3203000000000000000A0000000000000002000000000000000B000000000000002A000000000000000300000003000000000000000B00000000000000010000000003000000000000000C00000000000000000300000070757403000000000000000D00000000000000021100000002000000026D31026D3201000000026D34",
        ["raft-append-entries-response"] = "02006D3202006D3103000000000000000000000000000000000A0000000000000005000000000000000200000000000000FFFFFFFFFFFFFFFF",
        ["raft-install-snapshot"] = "02006D3102006D340C0000000000000084030000000000000C000000000000000300000002006D3102006D3202006D330100000002006D342C01000000000000",
        ["raft-install-snapshot-response"] = "02006D3202006D31040000000000000001F401000000000000",
        ["raft-timeout-now"] = "02006D3102006D32FFFFFFFFFFFFFF7F",
        ["kv-put"] = "020103082F66696C65732F610576616C75659A0101",
        ["kv-range"] = "0201020161017AAC02",
        ["kv-txn"] = "02020301610103027A7A01610204090162030280808080804002030161013106000502702F02703002010161040162",
        ["kv-grant"] = "0203FEFFFFFFFFFFFFFFFF01E0D403",
        ["kv-revoke"] = "0204D804",
        ["kv-clock"] = "0206",
        ["kv-result"] = "01000054010202010001016B0176020406080500D402000112D00F904E",
        ["kv-result-error"] = "010301104C65617365203920E2809420676F6E6506000000",
        ["envelope"] = "013C2D1E0F5A4B78698796A5B4C3D2E1F02A0000000000000028000000000000007B68E5CF8B010000010203",
        ["master-request"] = "023C2D1E0F5A4B78698796A5B4C3D2E1F009000000000000000700000000000000AABB",
        ["master-response-ok"] = "00010203",
        ["master-response-not-leader"] = "0102006D3261736B206D32",
        ["master-response-error"] = "03000062616420E28094206B6579",
    };

    public static TheoryData<string> Names => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void Sample_EncodesToItsGoldenBytes_AndDecodesBackToThem(string name)
    {
        var (encode, roundTrip) = Cases[name];

        Assert.Equal(Expected[name], encode());
        Assert.Equal(Expected[name], roundTrip(Expected[name]));
    }

    private static (Func<string>, Func<string, string>) Raft(RaftMessage message) =>
        (() => EncodeRaft(message), hex =>
        {
            var payload = new ReadOnlySequence<byte>(Convert.FromHexString(hex));
            if (message is InstallSnapshot)
            {
                var (decoded, length) = RaftMessageCodec.ReadSnapshotHeader(payload);
                return EncodeRaft(decoded with { Payload = new MemorySnapshotPayload(new byte[length]) });
            }
            return EncodeRaft(RaftMessageCodec.Read(RaftMessageCodec.FrameTypeOf(message), payload));
        }
    );

    private static string EncodeRaft(RaftMessage message)
    {
        var writer = new ArrayBufferWriter<byte>();
        RaftMessageCodec.Write(message, writer);
        return Convert.ToHexString(writer.WrittenSpan);
    }

    private static (Func<string>, Func<string, string>) Kv(KvCommand command) =>
        (() => Convert.ToHexString(KvCommandCodec.Encode(command)),
         hex => Convert.ToHexString(KvCommandCodec.Encode(KvCommandCodec.Decode((ReadOnlyMemory<byte>)Convert.FromHexString(hex)))));

    private static (Func<string>, Func<string, string>) KvResultCase(KvResult result) =>
        (() => Convert.ToHexString(KvResultCodec.Encode(result)),
         hex => Convert.ToHexString(KvResultCodec.Encode(KvResultCodec.Decode(Convert.FromHexString(hex)))));

    private static (Func<string>, Func<string, string>) Envelope(CommandEnvelope envelope) =>
        (() => Convert.ToHexString(envelope.Encode()), hex =>
        {
            Assert.True(CommandEnvelope.TryDecode(Convert.FromHexString(hex), out var decoded, out var error), error);
            return Convert.ToHexString(decoded!.Encode());
        }
    );

    private static (Func<string>, Func<string, string>) MasterRequestCase(MasterRequestKind kind, long sequence, long lowest, byte[] command) =>
        (() => EncodeRequest(kind, ClientId, sequence, lowest, command), hex =>
        {
            var request = MasterProtocol.ReadRequest(new ReadOnlySequence<byte>(Convert.FromHexString(hex)));
            return EncodeRequest(request.Kind, request.ClientId, request.Sequence, request.LowestUnanswered, request.Command.ToArray());
        }
    );

    private static string EncodeRequest(MasterRequestKind kind, Guid clientId, long sequence, long lowest, byte[] command)
    {
        var writer = new ArrayBufferWriter<byte>();
        MasterProtocol.WriteRequest(writer, kind, clientId, sequence, lowest, command);
        return Convert.ToHexString(writer.WrittenSpan);
    }

    private static (Func<string>, Func<string, string>) MasterResponseCase(MasterResponse response) =>
        (() => EncodeResponse(response), hex => EncodeResponse(MasterProtocol.ReadResponse(new ReadOnlySequence<byte>(Convert.FromHexString(hex)))));

    private static string EncodeResponse(MasterResponse response)
    {
        var writer = new ArrayBufferWriter<byte>();
        MasterProtocol.WriteResponse(writer, response);
        return Convert.ToHexString(writer.WrittenSpan);
    }
}
