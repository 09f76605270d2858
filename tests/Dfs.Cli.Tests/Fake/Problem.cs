using Microsoft.AspNetCore.Http;

namespace Dfs.Cli.Tests.Fake;

/// <summary>An RFC 7807 error the fake answers with, in the slugs of the REST interface.</summary>
internal sealed class Problem(int status, string slug, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public IResult ToResult() => Results.Problem(
        detail: Message,
        statusCode: Status,
        title: slug.Replace('-', ' '),
        type: "https://dfs.dev/problems/" + slug);

    public static Problem NotFound(string path) => new(404, "not-found", $"Nothing exists at {path}.");

    public static Problem IsADirectory(string path) => new(409, "is-a-directory", $"{path} is a directory.");

    public static Problem NotADirectory(string path) => new(409, "not-a-directory", $"{path} is a file, not a directory.");

    public static Problem Invalid(string detail) => new(400, "invalid-argument", detail);
}
