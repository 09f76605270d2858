using Dfs.Client.Chunks.Protocol;
using Dfs.Client.Files;
using Dfs.Client.Master.Protocol;
using Dfs.Client.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Dfs.Gateway.Http;

/// <summary>The one mapping from the errors of the layers below (metadata, chunk servers, masters, request bodies) to problem details.</summary>
public static class Problems
{
    /// <summary>The base of every problem type.</summary>
    public const string TypeBase = "https://dfs.dev/problems/";

    /// <summary>The problem answer for <paramref name="exception"/>, or null when it is not a known failure (a 500).</summary>
    public static (ProblemDetails Problem, IReadOnlyDictionary<string, string> Headers)? From(Exception exception) => exception switch
    {
        ApiProblemException e => (Make(e.Status, e.Slug, e.Title, e.Message), e.Headers),
        MetadataException e => (FromMetadata(e), NoHeaders),
        InsufficientStorageException e => (OutOfSpace(e.Message), NoHeaders),
        ChunkServerException { Code: ChunkErrorCode.DiskFull } e => (OutOfSpace(e.Message), NoHeaders),
        ChunkServerException e => (Make(StatusCodes.Status503ServiceUnavailable, "unavailable", "Chunk servers unavailable", e.Message), RetryAfter),
        MasterException { Code: MasterErrorCode.InvalidArgument } e => (Make(StatusCodes.Status400BadRequest, "invalid-argument", "Invalid argument", e.Message), NoHeaders),
        MasterException { Code: MasterErrorCode.NotFound } e => (Make(StatusCodes.Status404NotFound, "not-found", "Not found", e.Message), NoHeaders),
        MasterException { Code: MasterErrorCode.NotLeader or MasterErrorCode.NoLeader or MasterErrorCode.OutcomeUnknown } e =>
            (Make(StatusCodes.Status503ServiceUnavailable, "no-leader", "No leader", e.Message), RetryAfter),
        MasterException e => (Make(StatusCodes.Status503ServiceUnavailable, "unavailable", "Masters unavailable", e.Message), RetryAfter),
        IncompleteContentException e => (Make(StatusCodes.Status400BadRequest, "invalid-argument", "Incomplete body", e.Message), NoHeaders),
        BadHttpRequestException e => (Make(e.StatusCode, "invalid-argument", "Bad request", e.Message), NoHeaders),
        TimeoutException e => (Make(StatusCodes.Status503ServiceUnavailable, "unavailable", "Timed out", e.Message), RetryAfter),
        OperationCanceledException => (Make(StatusCodes.Status503ServiceUnavailable, "unavailable", "Timed out",
            "A master or chunk server did not answer in time; retry shortly."), RetryAfter),
        IOException e => (Make(StatusCodes.Status503ServiceUnavailable, "unavailable", "Unavailable", e.Message), RetryAfter),
        _ => null,
    };

    /// <summary>A problem with the agreed type, title, status and detail.</summary>
    public static ProblemDetails Make(int status, string slug, string title, string detail) =>
        new() { Type = TypeBase + slug, Title = title, Status = status, Detail = detail };

    /// <summary>507: the chunk servers have no room for the content; the upload committed nothing.</summary>
    private static ProblemDetails OutOfSpace(string cause) =>
        Make(StatusCodes.Status507InsufficientStorage, "insufficient-storage", "Insufficient storage",
            $"The cluster is out of space for this file; nothing was written. {cause}");

    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    private static readonly IReadOnlyDictionary<string, string> RetryAfter = new Dictionary<string, string> { ["Retry-After"] = "1" };

    private static ProblemDetails FromMetadata(MetadataException e) => e.Code switch
    {
        MetadataErrorCode.InvalidPath => Make(400, "invalid-path", "Invalid path", e.Message),
        MetadataErrorCode.InvalidArgument => Make(400, "invalid-argument", "Invalid argument", e.Message),
        MetadataErrorCode.NotFound => Make(404, "not-found", "Not found", e.Message),
        MetadataErrorCode.AlreadyExists => Make(409, "already-exists", "Already exists", e.Message),
        MetadataErrorCode.NotADirectory => Make(409, "not-a-directory", "Not a directory", e.Message),
        MetadataErrorCode.IsADirectory => Make(409, "is-a-directory", "Is a directory", e.Message),
        MetadataErrorCode.DirectoryNotEmpty => Make(409, "directory-not-empty", "Directory not empty", e.Message),
        MetadataErrorCode.Conflict => Make(409, "conflict", "Conflict", e.Message),
        MetadataErrorCode.Locked => Make(423, "locked", "Locked", e.Message),
        MetadataErrorCode.VersionNotFound => Make(404, "version-not-found", "Version not found", e.Message),
        MetadataErrorCode.LockNotHeld or MetadataErrorCode.LeaseNotFound => Make(409, "lock-not-held", "Lock not held", e.Message),
        MetadataErrorCode.RenameIntoItself => Make(409, "rename-into-itself", "Rename into itself", e.Message),
        _ => Make(400, "invalid-argument", "Invalid argument", e.Message),
    };
}
