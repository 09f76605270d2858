using Dfs.Client.Master.Protocol;
using Microsoft.AspNetCore.Diagnostics;

namespace Dfs.Raft.Master.Http;

/// <summary>
/// Answers every failure of the master's routes once: the exception becomes a <see cref="MasterError"/>
/// (<see cref="MasterErrors.From"/>), a redirect when another master leads, else problem details (<see cref="MasterProblems"/>).
/// </summary>
/// <remarks>
/// An exception handler rather than an endpoint filter: it costs nothing on a request that succeeds, where a filter
/// would put every route on the boxed, generic result path.
/// </remarks>
internal sealed partial class MasterExceptionHandler(LeaderRouting routing, ILogger<MasterExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && http.RequestAborted.IsCancellationRequested)
        {
            return false;
        }
        var error = MasterErrors.From(exception);
        if (error.Code == MasterErrorCode.Internal)
        {
            LogInternalError(logger, http.Request.Method, http.Request.Path, exception);
        }
        var answer = error.Code == MasterErrorCode.NotLeader ? routing.NotLeader(http, error) : MasterProblems.Problem(http, error);
        await answer.ExecuteAsync(http);
        return true;
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Error, Message = "{Method} {Path} failed unexpectedly")]
    private static partial void LogInternalError(ILogger logger, string method, string path, Exception exception);
}
