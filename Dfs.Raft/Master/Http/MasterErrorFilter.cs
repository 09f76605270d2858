using Dfs.Client.Master.Protocol;

namespace Dfs.Raft.Master.Http;

/// <summary>
/// Answers every failure of the master's routes once: the exception becomes a <see cref="MasterError"/>
/// (<see cref="MasterErrors.From"/>), a redirect when another master leads, else problem details (<see cref="MasterProblems"/>).
/// </summary>
internal sealed partial class MasterErrorFilter(LeaderRouting routing, ILogger<MasterErrorFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        try
        {
            return await next(context);
        }
        catch (Exception e) when (!(e is OperationCanceledException && http.RequestAborted.IsCancellationRequested))
        {
            var error = MasterErrors.From(e);
            if (error.Code == MasterErrorCode.Internal)
            {
                LogInternalError(logger, http.Request.Method, http.Request.Path, e);
            }
            return error.Code == MasterErrorCode.NotLeader ? routing.NotLeader(http, error) : MasterProblems.Problem(http, error);
        }
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Error, Message = "{Method} {Path} failed unexpectedly")]
    private static partial void LogInternalError(ILogger logger, string method, string path, Exception exception);
}
