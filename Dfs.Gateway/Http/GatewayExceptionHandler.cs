using Microsoft.AspNetCore.Diagnostics;

namespace Dfs.Gateway.Http;

/// <summary>Answers every known failure of a route as problem details (<see cref="Problems.From"/>); anything else stays a 500.</summary>
internal sealed class GatewayExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client is gone: there is nobody to answer.
            return true;
        }
        if (Problems.From(exception) is not var (problem, headers))
        {
            return false;
        }
        httpContext.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        foreach (var (name, value) in headers)
        {
            httpContext.Response.Headers[name] = value;
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }
}
