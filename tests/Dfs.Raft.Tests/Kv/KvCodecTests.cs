using System.Buffers;
using Dfs.Client.Kv;
using static Dfs.Raft.Tests.Kv.KvTestMachine;

namespace Dfs.Raft.Tests.Kv;

public sealed class KvCodecTests
{
    public static TheoryData<string> CommandNames => [.. SampleCommands().Keys];

    private static Dictionary<string, KvCommand> SampleCommands() => new()
    {
        ["put"] = KvCommand.Put(B("/files/a"), B("value"), leaseId: 77, previousValue: true),
        ["put-empty-value"] = KvCommand.Put(B("k"), Array.Empty<byte>()),
        ["delete"] = KvCommand.Delete(B("/files/a")),
        ["delete-prefix"] = KvCommand.DeletePrefix(B("/files/")),
        ["get"] = new KvOpCommand(KvOp.Get(B("g"))),
        ["range"] = new KvOpCommand(KvOp.Range(B("a"), B("z"), 10)),
        ["txn"] = KvCommand.Txn(
            [
                KvCompare.ValueIs(B("a"), KvCompareOperator.Less, B("zz")),
                KvCompare.ModRevisionIs(B("a"), KvCompareOperator.Greater, -5),
                KvCompare.CreateRevisionIs(B("b"), KvCompareOperator.NotEqual, 1L << 40),
                KvCompare.VersionIs(B("c"), KvCompareOperator.Equal, 3),
                KvCompare.Missing(B("d")),
            ],
            [KvOp.Put(B("a"), B("1"), 3), KvOp.DeletePrefix(B("p/")), KvOp.Prefix(B("q/"), 2)],
            [KvOp.Get(B("a")), KvOp.Delete(B("b"))]),
        ["grant"] = KvCommand.GrantLease(long.MaxValue, 30_000),
        ["revoke"] = KvCommand.RevokeLease(3),
        ["keepalive"] = KvCommand.KeepAliveLease(3),
        ["clock"] = KvCommand.AdvanceClock(),
    };

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void Command_RoundTripsThroughTheCodec_FieldForField(string name)
    {
        var command = SampleCommands()[name];

        var bytes = KvCommandCodec.Encode(command);
        var decoded = KvCommandCodec.Decode(bytes);

        Assert.Equal(Describe(command), Describe(decoded));
        Assert.Equal(bytes, KvCommandCodec.Encode(decoded));
    }

    [Fact]
    public void EncodingIntoABufferWriterOrSpan_GivesTheSameBytesAsTheArrayForm()
    {
        var command = SampleCommands()["txn"];
        var expected = KvCommandCodec.Encode(command);
        var writer = new ArrayBufferWriter<byte>();
        var span = new byte[expected.Length + 10];

        KvCommandCodec.Encode(command, writer);
        var written = KvCommandCodec.Encode(command, span);

        Assert.Equal(expected, writer.WrittenSpan.ToArray());
        Assert.Equal(expected, span[..written]);
        Assert.Equal(expected.Length, KvCommandCodec.GetEncodedLength(command));
    }

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void EveryTruncation_OfAnEncodedCommand_IsRejectedAsMalformed(string name)
    {
        var bytes = KvCommandCodec.Encode(SampleCommands()[name]);

        for (var length = 0; length < bytes.Length; length++)
        {
            var truncated = bytes.AsMemory(0, length);
            Assert.Throws<KvFormatException>(() => KvCommandCodec.Decode(truncated));
        }
    }

    [Fact]
    public void TrailingBytes_UnknownFormat_UnknownTag_AndOverlongVarints_AreRejected()
    {
        var good = KvCommandCodec.Encode(KvCommand.Delete(B("k")));

        Assert.Throws<KvFormatException>(() => KvCommandCodec.Decode((ReadOnlyMemory<byte>)(byte[])[.. good, 0]));
        Assert.Throws<KvFormatException>(() => KvCommandCodec.Decode((ReadOnlyMemory<byte>)(byte[])[KvCommandCodec.FormatVersion + 1, .. good[1..]]));
        Assert.Throws<KvFormatException>(() => KvCommandCodec.Decode((ReadOnlyMemory<byte>)(byte[])[KvCommandCodec.FormatVersion, 99]));
        // A lease revoke whose lease id is a varint longer than 64 bits.
        Assert.Throws<KvFormatException>(() => KvCommandCodec.Decode((ReadOnlyMemory<byte>)(byte[])[KvCommandCodec.FormatVersion, 4, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]));
        // A key length far beyond the bytes present.
        Assert.Throws<KvFormatException>(() => KvCommandCodec.Decode((ReadOnlyMemory<byte>)(byte[])[KvCommandCodec.FormatVersion, 1, 4, 0xFF, 0xFF, 0xFF, 0x7F, 1]));
    }

    [Fact]
    public void RandomGarbage_EitherDecodesOrThrowsOnlyFormatErrors()
    {
        const int seed = 20261121;
        var random = new Random(seed);
        var samples = SampleCommands().Values.Select(KvCommandCodec.Encode).ToArray();
        for (var i = 0; i < 20_000; i++)
        {
            byte[] bytes;
            if (i % 2 == 0)
            {
                bytes = new byte[random.Next(0, 64)];
                random.NextBytes(bytes);
                if (bytes.Length > 0)
                {
                    bytes[0] = KvCommandCodec.FormatVersion;
                }
            }
            else
            {
                bytes = (byte[])samples[random.Next(samples.Length)].Clone();
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }
            try
            {
                KvCommandCodec.Decode(bytes.AsMemory());
            }
            catch (KvFormatException)
            {
            }
            catch (Exception e)
            {
                Assert.Fail($"Seed {seed}, sample {i} ({Convert.ToHexString(bytes)}): {e.GetType().Name}: {e.Message}");
            }
        }
    }

    [Fact]
    public void ApplyingGarbage_ReturnsMalformedCommand_AndLeavesTheStoreAsItWas()
    {
        using var kv = new KvTestMachine();
        kv.Put("a", "1");
        kv.Put("b", "2");
        var revision = kv.Machine.Revision;

        var results = new[]
        {
            kv.ApplyRaw([]),
            kv.ApplyRaw([0xDE, 0xAD, 0xBE, 0xEF]),
            kv.ApplyRaw(KvCommandCodec.Encode(KvCommand.Put(B("c"), B("3")))[..^2], atMs: 5_000),
        };

        Assert.All(results, r => Assert.Equal(KvStatus.MalformedCommand, r.Status));
        Assert.All(results, r => Assert.False(string.IsNullOrEmpty(r.Error)));
        Assert.Equal(revision, kv.Machine.Revision);
        Assert.Equal(["a", "b"], kv.Keys(""));
        Assert.Equal(1_000, kv.Machine.NowMs);
    }

    [Fact]
    public void Result_RoundTripsThroughTheCodec()
    {
        var result = new KvResult(
            KvStatus.Ok,
            null,
            42,
            true,
            [
                new KvOpResult(KvOpKind.Range, [new KvKeyValue(B("k"), B("v"), 1, 2, 3, 4), new KvKeyValue(B("k2"), Array.Empty<byte>(), 5, 6, 7, 0)], true, 0),
                new KvOpResult(KvOpKind.DeleteRange, [], false, 17),
            ],
            new KvLeaseInfo(9, 1_000, 5_000));
        var error = KvResult.Failure(KvStatus.LeaseNotFound, "Lease 9 does not exist \u2014 granted?", 3);

        var decoded = KvResultCodec.Decode(KvResultCodec.Encode(result));
        var decodedError = KvResultCodec.Decode(KvResultCodec.Encode(error));

        Assert.Equal(KvStatus.Ok, decoded.Status);
        Assert.Equal(42, decoded.Revision);
        Assert.True(decoded.Succeeded);
        Assert.Equal(["k|v|1|2|3|4", "k2||5|6|7|0"], decoded.Responses[0].Items.Select(i => $"{S(i.Key)}|{S(i.Value)}|{i.CreateRevision}|{i.ModRevision}|{i.Version}|{i.LeaseId}"));
        Assert.True(decoded.Responses[0].More);
        Assert.Equal(17, decoded.Responses[1].Deleted);
        Assert.Equal(new KvLeaseInfo(9, 1_000, 5_000), decoded.Lease);
        Assert.Equal(error.Error, decodedError.Error);
        Assert.Equal(KvStatus.LeaseNotFound, decodedError.Status);

        var bytes = KvResultCodec.Encode(result);
        for (var length = 0; length < bytes.Length; length++)
        {
            var truncated = bytes.AsMemory(0, length);
            Assert.Throws<KvFormatException>(() => KvResultCodec.Decode(truncated));
        }
    }

    private static string Describe(KvCommand command) => command switch
    {
        KvOpCommand c => $"op {Describe(c.Op)}",
        KvTxnCommand c => $"txn [{string.Join(";", c.Compares.Select(x => $"{Hex(x.Key)} {x.Target} {x.Operator} {x.Number} {Hex(x.Value)}"))}]"
            + $" [{string.Join(";", c.Success.Select(Describe))}] [{string.Join(";", c.Failure.Select(Describe))}]",
        _ => command.ToString(),
    };

    private static string Describe(KvOp op) => $"{op.Kind} {Hex(op.Key)} {Hex(op.End)} {Hex(op.Value)} {op.LeaseId} {op.Limit} {op.PreviousValue}";

    private static string Hex(ReadOnlyMemory<byte> bytes) => Convert.ToHexString(bytes.Span);
}
