using System.Net;

namespace Dfs.Cli.Gateway;

/// <summary>The gateway answered with an error: its RFC 7807 problem, whose <see cref="Exception.Message"/> is the problem's <c>detail</c>.</summary>
public sealed class GatewayProblemException : Exception
{
    public GatewayProblemException(HttpStatusCode status, string type, string title, string detail, TimeSpan? retryAfter = null)
        : base(detail)
    {
        Status = status;
        Type = type;
        Title = title;
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; }

    /// <summary>The problem type URI (<c>https://dfs.dev/problems/&lt;slug&gt;</c>), or <c>about:blank</c> when the body was not a problem.</summary>
    public string Type { get; }

    /// <summary>The last segment of <see cref="Type"/>: <c>not-found</c>, <c>locked</c>, <c>no-leader</c>, …</summary>
    public string Slug => Type[(Type.LastIndexOf('/') + 1)..];

    /// <summary>The problem's short title.</summary>
    public string Title { get; }

    /// <summary>The Retry-After the gateway suggested (503), if any.</summary>
    public TimeSpan? RetryAfter { get; }
}
