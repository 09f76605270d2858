using System.Buffers;
using Dfs.Client.Kv;
using Dfs.Client.Master.Protocol;
using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Hosting;
using Dfs.Raft.Master;
using Dfs.Raft.Master.Http;
using Microsoft.AspNetCore.Http;

namespace Dfs.Raft.Tests.Master;

/// <summary>The one table from the master's exceptions to error codes, and the one from codes to HTTP statuses.</summary>
public sealed class MasterErrorsTests
{
    public static TheoryData<Exception, MasterErrorCode> ServerExceptions => new()
    {
        { new NotLeaderException("m1", "m2"), MasterErrorCode.NotLeader },
        { new NotLeaderException("m1", null), MasterErrorCode.NoLeader },
        { new NotLeaderException("m1", null, "It is handing leadership over; retry at the next leader."), MasterErrorCode.NoLeader },
        { new KvValidationException("The key is empty."), MasterErrorCode.InvalidArgument },
        { new KvFormatException("Malformed command: it ends early (truncated)."), MasterErrorCode.InvalidArgument },
        { new InvalidDataException("Unknown master request kind 9."), MasterErrorCode.InvalidArgument },
        { new ResponseDiscardedException("Sequence 3 of client x was applied earlier and its response is no longer kept."), MasterErrorCode.Conflict },
        { new ProposalOutcomeUnknownException(7, "leadership changed"), MasterErrorCode.OutcomeUnknown },
        { new ProposalRejectedException(ProposeRejection.TooManyUncommitted, "Too much is uncommitted."), MasterErrorCode.Unavailable },
        { new MasterException(MasterErrorCode.NotFound, "No such thing."), MasterErrorCode.NotFound },
        { new IOException("Raft node m1 could not persist its log: disk full"), MasterErrorCode.Internal },
    };

    [Theory]
    [MemberData(nameof(ServerExceptions))]
    public void ServerException_MapsToItsCode_AndKeepsItsMessage(Exception exception, MasterErrorCode expected)
    {
        var error = MasterErrors.From(exception);

        Assert.Equal(expected, error.Code);
        Assert.Contains(exception.Message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotLeader_CarriesTheLeaderItNames()
    {
        Assert.Equal("m2", MasterErrors.From(new NotLeaderException("m1", "m2")).LeaderId);
        Assert.Null(MasterErrors.From(new NotLeaderException("m1", null)).LeaderId);
    }

    [Fact]
    public void EveryCode_HasAnHttpStatus()
    {
        var expected = new Dictionary<MasterErrorCode, int>
        {
            [MasterErrorCode.NotLeader] = StatusCodes.Status307TemporaryRedirect,
            [MasterErrorCode.NoLeader] = StatusCodes.Status503ServiceUnavailable,
            [MasterErrorCode.InvalidArgument] = StatusCodes.Status400BadRequest,
            [MasterErrorCode.NotFound] = StatusCodes.Status404NotFound,
            [MasterErrorCode.Conflict] = StatusCodes.Status409Conflict,
            [MasterErrorCode.OutcomeUnknown] = StatusCodes.Status503ServiceUnavailable,
            [MasterErrorCode.Unavailable] = StatusCodes.Status503ServiceUnavailable,
            [MasterErrorCode.Internal] = StatusCodes.Status500InternalServerError,
            [MasterErrorCode.Metadata] = StatusCodes.Status400BadRequest,
        };

        foreach (var code in Enum.GetValues<MasterErrorCode>())
        {
            Assert.True(expected.ContainsKey(code), $"{code} has no expected HTTP status in this test");
            var (status, title) = MasterProblems.For(code);
            Assert.Equal(expected[code], status);
            Assert.False(string.IsNullOrWhiteSpace(title), $"{code} has no problem title");
        }
    }

    [Theory]
    [InlineData(KvStatus.Ok, null)]
    [InlineData(KvStatus.InvalidArgument, MasterErrorCode.InvalidArgument)]
    [InlineData(KvStatus.MalformedCommand, MasterErrorCode.InvalidArgument)]
    [InlineData(KvStatus.LeaseNotFound, MasterErrorCode.NotFound)]
    [InlineData(KvStatus.LeaseExists, MasterErrorCode.Conflict)]
    public void StoreRefusal_MapsToItsCode(KvStatus status, MasterErrorCode? expected) =>
        Assert.Equal(expected, MasterErrorCodes.From(status));

    [Fact]
    public void OnlyErrorsACallCanOutwait_AreRetried()
    {
        var retried = Enum.GetValues<MasterErrorCode>().Where(c => c.IsRetryable()).ToHashSet();
        Assert.Equal(
            [MasterErrorCode.NotLeader, MasterErrorCode.NoLeader, MasterErrorCode.OutcomeUnknown, MasterErrorCode.Unavailable, MasterErrorCode.Internal],
            retried.Order());
    }

    [Theory]
    [InlineData(MasterErrorCode.NotLeader, "m2", "Node m1 is not the leader; the leader is m2.")]
    [InlineData(MasterErrorCode.Conflict, null, "Sequence 3 was applied earlier and its response is no longer kept.")]
    [InlineData(MasterErrorCode.Internal, null, "")]
    public void ErrorResponse_CrossesTheWireWithItsCodeLeaderAndMessage(MasterErrorCode code, string? leader, string message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        MasterProtocol.WriteResponse(buffer, MasterResponse.Failed(new MasterError(code, message, leader)));

        var read = MasterProtocol.ReadResponse(new ReadOnlySequence<byte>(buffer.WrittenMemory));

        Assert.False(read.IsOk);
        Assert.Equal(new MasterError(code, message, leader), read.Error);
    }

    [Fact]
    public void OkResponse_CrossesTheWireWithItsResultBytes()
    {
        var buffer = new ArrayBufferWriter<byte>();
        MasterProtocol.WriteResponse(buffer, MasterResponse.Ok(new byte[] { 1, 2, 3 }));

        var read = MasterProtocol.ReadResponse(new ReadOnlySequence<byte>(buffer.WrittenMemory));

        Assert.True(read.IsOk);
        Assert.Equal(new byte[] { 1, 2, 3 }, read.Result.ToArray());
    }
}
