using Dfs.Client.Master.Protocol;

namespace Dfs.Raft.Master.Http;

/// <summary>
/// The HTTP edge of the master's error vocabulary: one status and title per <see cref="MasterErrorCode"/>, answered
/// as RFC 7807 problem details whose <c>code</c> member names the code.
/// </summary>
public static class MasterProblems
{
    /// <summary>The HTTP status and problem title for <paramref name="code"/>.</summary>
    /// <remarks>
    /// <see cref="MasterErrorCode.NotLeader"/> is a redirect to the leader (<see cref="LeaderRouting"/>), and a
    /// <see cref="MasterErrorCode.NoLeader"/> answer when the leader is not in the configuration.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="code"/> is not a defined code.</exception>
    public static (int Status, string Title) For(MasterErrorCode code) => code switch
    {
        MasterErrorCode.NotLeader => (StatusCodes.Status307TemporaryRedirect, "Not the leader"),
        MasterErrorCode.NoLeader => (StatusCodes.Status503ServiceUnavailable, "No leader"),
        MasterErrorCode.InvalidArgument => (StatusCodes.Status400BadRequest, "Bad request"),
        MasterErrorCode.NotFound => (StatusCodes.Status404NotFound, "Not found"),
        MasterErrorCode.Conflict => (StatusCodes.Status409Conflict, "Conflict"),
        MasterErrorCode.OutcomeUnknown => (StatusCodes.Status503ServiceUnavailable, "Outcome unknown"),
        MasterErrorCode.Unavailable => (StatusCodes.Status503ServiceUnavailable, "Busy"),
        MasterErrorCode.Internal => (StatusCodes.Status500InternalServerError, "Internal error"),
        // The master's own HTTP API serves no file-system route; the gateway maps each metadata rule to its own status.
        MasterErrorCode.Metadata => (StatusCodes.Status400BadRequest, "Refused by a metadata rule"),
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "Not a master error code."),
    };

    /// <summary>The problem-details answer for <paramref name="error"/>; sets <c>Retry-After</c> when waiting is the cure.</summary>
    public static IResult Problem(HttpContext context, MasterError error)
    {
        var (status, title) = For(error.Code);
        if (error.Code is MasterErrorCode.NoLeader or MasterErrorCode.Unavailable)
        {
            context.Response.Headers.RetryAfter = "1";
        }
        var detail = error.Code == MasterErrorCode.OutcomeUnknown
            ? $"{error.Message} The write may or may not have been applied; send it with X-Client-Id and X-Sequence to retry it safely."
            : error.Message;
        return Results.Problem(title: title, detail: detail, statusCode: status,
            extensions: new Dictionary<string, object?> { ["code"] = error.Code.ToString() });
    }
}
