using Dfs.Client.Kv;
using Dfs.Client.Master.Protocol;
using Dfs.Client.Metadata;
using Dfs.Raft.Consensus.Hosting;

namespace Dfs.Raft.Master;

/// <summary>
/// The one table from what the master's code throws to the master's error vocabulary; the internal protocol and
/// the HTTP API both answer through it, so a failure reads the same on either.
/// </summary>
public static class MasterErrors
{
    /// <summary>The error a client is told for <paramref name="exception"/>.</summary>
    public static MasterError From(Exception exception) => exception switch
    {
        MasterException e => new MasterError(e.Code, e.Message, e.LeaderId),
        MetadataException e => new MasterError(MasterErrorCode.Metadata, e.Message) { MetadataCode = e.Code },
        NotLeaderException { LeaderId: { } leader } e => new MasterError(MasterErrorCode.NotLeader, e.Message, leader),
        NotLeaderException e => new MasterError(MasterErrorCode.NoLeader, e.Message),
        KvValidationException or KvFormatException or InvalidDataException => new MasterError(MasterErrorCode.InvalidArgument, exception.Message),
        ResponseDiscardedException => new MasterError(MasterErrorCode.Conflict, exception.Message),
        ProposalOutcomeUnknownException => new MasterError(MasterErrorCode.OutcomeUnknown, exception.Message),
        ProposalRejectedException => new MasterError(MasterErrorCode.Unavailable, exception.Message),
        _ => new MasterError(MasterErrorCode.Internal, $"The master failed unexpectedly: {exception.GetType().Name}: {exception.Message}"),
    };
}
