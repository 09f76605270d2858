using System.Net;
using Dfs.Cli.Gateway;
using Dfs.Client.Metadata;

namespace Dfs.Cli;

/// <summary>The one place where an error becomes an exit code.</summary>
internal static class ErrorMapping
{
    /// <summary>The exit code for <paramref name="error"/>, or null when it is not an error a command expects (a bug).</summary>
    public static int? ExitCodeOf(Exception error) => error switch
    {
        CliException cli => cli.ExitCode,
        GatewayProblemException problem => ForStatus(problem.Status),
        GatewayUnreachableException => ExitCodes.Unavailable,
        LocalFileException => ExitCodes.LocalIo,
        MetadataException { Code: MetadataErrorCode.InvalidPath } => ExitCodes.Usage,
        IOException or UnauthorizedAccessException => ExitCodes.LocalIo,
        OperationCanceledException => ExitCodes.Interrupted,
        _ => null,
    };

    /// <summary>The exit code for an HTTP error status.</summary>
    public static int ForStatus(HttpStatusCode status) => (int)status switch
    {
        400 => ExitCodes.Usage,
        404 => ExitCodes.NotFound,
        409 or 412 => ExitCodes.Conflict,
        423 => ExitCodes.Locked,
        502 or 503 or 504 => ExitCodes.Unavailable,
        _ => ExitCodes.ServerError,
    };
}
