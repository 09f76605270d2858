using Microsoft.AspNetCore.Http.Features;

namespace Dfs.Gateway.Http;

/// <summary>Gives the problems ASP.NET Core writes by itself (no route, wrong method, refused body) the gateway's types and a sentence.</summary>
internal static class GatewayProblemDetails
{
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        if (problem.Type?.StartsWith(Problems.TypeBase, StringComparison.Ordinal) == true)
        {
            return;
        }
        var request = context.HttpContext.Request;
        var target = context.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.ToString();
        if (target.Length > 120)
        {
            target = target[..120] + "…";
        }
        switch (status)
        {
            case StatusCodes.Status404NotFound:
                problem.Type = Problems.TypeBase + "not-found";
                problem.Title = "Not found";
                problem.Detail ??= $"No route matches {request.Method} {target}; the routes are listed at /swagger.";
                break;
            case StatusCodes.Status405MethodNotAllowed:
                var allow = context.HttpContext.Response.Headers.Allow.ToString();
                problem.Type = Problems.TypeBase + "method-not-allowed";
                problem.Title = "Method not allowed";
                problem.Detail ??= $"{target} does not take {request.Method}" + (allow.Length > 0 ? $"; it takes {allow}." : ".");
                break;
            case StatusCodes.Status415UnsupportedMediaType:
                problem.Type = Problems.TypeBase + "invalid-argument";
                problem.Detail ??= $"{request.Method} {target} does not take a body of type '{request.ContentType}'.";
                break;
            case >= 400 and < 500:
                problem.Type = Problems.TypeBase + "invalid-argument";
                problem.Detail ??= $"{request.Method} {target} is not a request this route can take; the routes and their parameters are listed at /swagger.";
                break;
            default:
                break;
        }
    }
}
