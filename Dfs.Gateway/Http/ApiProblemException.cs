namespace Dfs.Gateway.Http;

/// <summary>A request the gateway itself refuses (bad input, a failed precondition, an unsatisfiable range); nothing was changed.</summary>
/// <remarks>Answered as RFC 7807 problem details by <see cref="GatewayExceptionHandler"/>.</remarks>
public sealed class ApiProblemException : Exception
{
    public ApiProblemException(int status, string slug, string title, string detail)
        : base(detail)
    {
        Status = status;
        Slug = slug;
        Title = title;
    }

    public ApiProblemException()
        : this(StatusCodes.Status400BadRequest, "invalid-argument", "Invalid argument", "The request is not valid.")
    {
    }

    public ApiProblemException(string message)
        : this(StatusCodes.Status400BadRequest, "invalid-argument", "Invalid argument", message)
    {
    }

    public ApiProblemException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = StatusCodes.Status400BadRequest;
        Slug = "invalid-argument";
        Title = "Invalid argument";
    }

    public int Status { get; }

    /// <summary>The last segment of the problem type (<c>https://dfs.dev/problems/{slug}</c>).</summary>
    public string Slug { get; }

    public string Title { get; }

    /// <summary>Headers the answer carries (Content-Range on a 416, say).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public static ApiProblemException InvalidArgument(string detail) => new(StatusCodes.Status400BadRequest, "invalid-argument", "Invalid argument", detail);

    public static ApiProblemException PreconditionFailed(string detail) => new(StatusCodes.Status412PreconditionFailed, "precondition-failed", "Precondition failed", detail);

    public static ApiProblemException Locked(string detail) => new(StatusCodes.Status423Locked, "locked", "Locked", detail);
}
