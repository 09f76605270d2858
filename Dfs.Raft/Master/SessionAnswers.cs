using Dfs.Raft.Consensus.Sessions;

namespace Dfs.Raft.Master;

/// <summary>What a proposer answers for the session layer's result of its command, whichever consensus backend applied it.</summary>
internal static class SessionAnswers
{
    /// <summary>The applied command's result bytes, or the exception that tells the client why there are none.</summary>
    /// <exception cref="ResponseDiscardedException">Applied earlier and no longer kept, or the session expired.</exception>
    /// <exception cref="InvalidDataException">Too many unacknowledged commands, or the command was refused.</exception>
    public static ReadOnlyMemory<byte> BodyOrThrow(SessionResult result, Guid session, long sequence) => result.Kind switch
    {
        SessionResultKind.Applied or SessionResultKind.Duplicate => result.Body,
        SessionResultKind.ResponseDiscarded => throw new ResponseDiscardedException(
            $"Sequence {sequence} of client {session} was applied earlier and its response is no longer kept."),
        SessionResultKind.SessionExpired => throw new ResponseDiscardedException(
            $"The session of client {session} expired; start a new session (a new client id) and send the command again."),
        SessionResultKind.OutsideWindow => throw new InvalidDataException(
            $"Client {session} has more than {new Consensus.Sessions.SessionOptions().MaxResponsesPerClient} commands unacknowledged; acknowledge answered ones first."),
        _ => throw new InvalidDataException($"The command was refused: {result.Reason}"),
    };
}
