using Dfs.Raft.Consensus.Sessions;

namespace Dfs.Raft.Tests.Sessions;

public sealed class SessionCodecTests
{
    [Fact]
    public void Envelope_RoundTripsEveryField()
    {
        var id = Guid.Parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
        var envelope = new CommandEnvelope(id, 42, 40, 1_700_000_000_123, new byte[] { 1, 2, 3 });

        var bytes = envelope.Encode();
        Assert.True(CommandEnvelope.TryDecode(bytes, out var decoded, out var error), error);

        Assert.Equal(CommandEnvelope.HeaderSize + 3, bytes.Length);
        Assert.Equal(id, decoded!.ClientId);
        Assert.Equal(42, decoded.Sequence);
        Assert.Equal(40, decoded.LowestUnanswered);
        Assert.Equal(1_700_000_000_123, decoded.TimestampMs);
        Assert.Equal(new byte[] { 1, 2, 3 }, decoded.Body.ToArray());
    }

    [Theory]
    [InlineData(0, 1, "start at 1")]
    [InlineData(5, 0, "must lie in")]
    [InlineData(5, 6, "must lie in")]
    public void Envelope_WithImpossibleSequenceNumbers_IsRejectedWithTheReason(long sequence, long lowest, string reason)
    {
        var bytes = new CommandEnvelope(Guid.NewGuid(), 1, 1, 0, ReadOnlyMemory<byte>.Empty).Encode();
        BitConverter.TryWriteBytes(bytes.AsSpan(17), sequence);
        BitConverter.TryWriteBytes(bytes.AsSpan(25), lowest);

        Assert.False(CommandEnvelope.TryDecode(bytes, out var envelope, out var error));
        Assert.Null(envelope);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Envelope_TooShortOrOfUnknownFormat_IsRejected()
    {
        var bytes = new CommandEnvelope(Guid.NewGuid(), 1, 1, 0, ReadOnlyMemory<byte>.Empty).Encode();
        Assert.False(CommandEnvelope.TryDecode(bytes.AsSpan(0, 10), out _, out var shortError));
        Assert.Contains("at least", shortError, StringComparison.Ordinal);
        bytes[0] = 99;
        Assert.False(CommandEnvelope.TryDecode(bytes, out _, out var formatError));
        Assert.Contains("Unknown command envelope format 99", formatError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SessionResultKind.Applied)]
    [InlineData(SessionResultKind.Duplicate)]
    [InlineData(SessionResultKind.ResponseDiscarded)]
    [InlineData(SessionResultKind.SessionExpired)]
    public void Result_RoundTripsKindAndBody(SessionResultKind kind)
    {
        var result = new SessionResult(kind, new byte[] { 7, 8 });

        var decoded = SessionResult.Decode(result.Encode());

        Assert.Equal(kind, decoded.Kind);
        Assert.Equal(new byte[] { 7, 8 }, decoded.Body.ToArray());
        Assert.Equal(kind is SessionResultKind.Applied or SessionResultKind.Duplicate, decoded.HasResponse);
    }

    [Fact]
    public void Result_EmptyOrOfUnknownKind_IsRejected()
    {
        Assert.Throws<InvalidDataException>(() => SessionResult.Decode(ReadOnlyMemory<byte>.Empty));
        Assert.Throws<InvalidDataException>(() => SessionResult.Decode(new byte[] { 200 }));
    }
}
