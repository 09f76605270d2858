using Dfs.Client.Files;
using Dfs.Client.Metadata;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Dfs.Gateway.Http;

/// <summary>
/// <c>/api/files</c>: upload (streamed from the request body), download (streamed into the response, ranges and
/// conditional requests), delete, and listing by prefix.
/// </summary>
public static partial class FileEndpoints
{
    public const string Prefix = "/api/files/";

    private const string DefaultContentType = "application/octet-stream";

    public static IEndpointRouteBuilder MapFileApi(this IEndpointRouteBuilder routes)
    {
        var files = routes.MapGroup("/api/files").WithTags("Files");
        files.MapPut("/{**path}", UploadAsync)
            .WithName("UploadFile")
            .WithSummary("Uploads a file: the body is its bytes, streamed to the chunk servers (any size).")
            .WithDescription("Parent directories are made as needed. If-Match: \"etag\" replaces only that version; If-None-Match: * creates only. " +
                "A locked path needs X-Dfs-Lock-Token. A body that ends short of its Content-Length (a client gone) makes no version. " +
                "The path is percent-encoded per segment (or whole: an encoded '/' separates segments).")
            .WithMetadata(new BinaryRequestBodyMetadata())
            .WithMetadata(new Microsoft.AspNetCore.Mvc.DisableRequestSizeLimitAttribute())
            .Produces<FileWrittenJson>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status423Locked)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status507InsufficientStorage);
        files.MapGet("/{**path}", DownloadAsync)
            .WithName("DownloadFile")
            .WithSummary("Downloads a file (or ?version=N), streamed; one Range gives 206, If-None-Match / If-Modified-Since give 304.")
            .WithDescription("ETag is the version's CRC-32C; X-Dfs-Version names the version served. Several ranges are served whole.")
            .Produces(StatusCodes.Status200OK, contentType: DefaultContentType)
            .Produces(StatusCodes.Status206PartialContent, contentType: DefaultContentType)
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status416RangeNotSatisfiable)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        files.MapMethods("/{**path}", [HttpMethods.Head], HeadAsync)
            .WithName("HeadFile")
            .WithSummary("The headers a GET of the file would answer, without the body.")
            .Produces(StatusCodes.Status200OK)
            .Produces(StatusCodes.Status206PartialContent)
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status416RangeNotSatisfiable)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        files.MapDelete("/{**path}", DeleteAsync)
            .WithName("DeleteFile")
            .WithSummary("Deletes a file (every kept version); its chunks are reclaimed later.")
            .WithDescription("If-Match deletes only that version; a locked path needs X-Dfs-Lock-Token. A directory is deleted through /api/dirs.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status423Locked)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        files.MapGet("", ListAsync)
            .WithName("ListFiles")
            .WithSummary("Every file whose path starts with prefix (default '/'), at any depth, in path order, paged.")
            .Produces<FilePageJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return routes;
    }

    private static async Task<Created<FileWrittenJson>> UploadAsync(
        HttpContext context, IMetadataService metadata, FileUploader uploader, GatewayMetrics metrics, string? path,
        [FromHeader(Name = "If-Match")] string? ifMatch, [FromHeader(Name = "If-None-Match")] string? ifNoneMatch,
        [FromHeader(Name = LockToken.Header)] string? lockToken, CancellationToken cancellationToken)
    {
        var filePath = ApiPath.FileFrom(context, Prefix);
        var contentType = string.IsNullOrEmpty(context.Request.ContentType) ? DefaultContentType : context.Request.ContentType;
        if (System.Text.Encoding.UTF8.GetByteCount(contentType) > NewVersion.MaxContentTypeBytes)
        {
            throw ApiProblemException.InvalidArgument($"Content-Type is at most {NewVersion.MaxContentTypeBytes} bytes.");
        }
        var expected = await ExpectedAsync(metadata, filePath, ifMatch, ifNoneMatch, cancellationToken);
        var owner = await LockChecks.OwnerAsync(metadata, filePath, lockToken, cancellationToken);

        // The body is streamed chunk by chunk, whatever its size.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }
        FileUploadResult result;
        try
        {
            result = await uploader.UploadAsync(new FileUploadRequest(filePath, contentType, expected, owner, context.Request.ContentLength),
                new CountingReadStream(context.Request.Body, metrics.BytesIn), cancellationToken);
        }
        catch (MetadataException e) when (e.Code == MetadataErrorCode.Conflict && (ifMatch is not null || ifNoneMatch is not null))
        {
            throw ApiProblemException.PreconditionFailed($"{filePath} changed while it was uploaded: {e.Message}");
        }
        catch (MetadataException e) when (e.Code == MetadataErrorCode.AlreadyExists && ifNoneMatch is not null)
        {
            throw ApiProblemException.PreconditionFailed($"{filePath} already exists (If-None-Match: *).");
        }
        var etag = ETags.From(result.Content.Checksum);
        context.Response.Headers.ETag = etag;
        return TypedResults.Created(ApiPath.ToUrl(Prefix, filePath),
            new FileWrittenJson(filePath, result.Commit.Version, result.Content.Size, etag, ApiTime.Iso(result.Content.CreatedMs)));
    }

    /// <summary>The version a write expects from its If-Match / If-None-Match headers, checked now so a doomed upload is not streamed.</summary>
    private static async Task<ExpectedVersion> ExpectedAsync(IMetadataService metadata, string path, string? ifMatch, string? ifNoneMatch,
        CancellationToken cancellationToken)
    {
        if (ifNoneMatch is not null)
        {
            if (ifNoneMatch.Trim() != "*")
            {
                throw ApiProblemException.InvalidArgument("A write takes only If-None-Match: * (create, never replace).");
            }
            if (await CurrentAsync(metadata, path, cancellationToken) is not null)
            {
                throw ApiProblemException.PreconditionFailed($"{path} exists and If-None-Match: * asked to create it only.");
            }
            return ExpectedVersion.None;
        }
        if (ifMatch is null)
        {
            return ExpectedVersion.Any;
        }
        ETags.CheckSyntax(ifMatch, "If-Match");
        var current = await CurrentAsync(metadata, path, cancellationToken)
            ?? throw ApiProblemException.PreconditionFailed($"{path} does not exist, so no version matches If-Match {ifMatch}.");
        var etag = ETags.From(current.Checksum);
        return ETags.Matches(ifMatch, etag)
            ? ExpectedVersion.Is(current.Number)
            : throw ApiProblemException.PreconditionFailed($"{path} is at version {current.Number} with ETag {etag}, which If-Match {ifMatch} does not name.");
    }

    /// <summary>The file's current version, or null when nothing is at the path.</summary>
    private static async Task<FileVersion?> CurrentAsync(IMetadataService metadata, string path, CancellationToken cancellationToken)
    {
        try
        {
            var versions = await metadata.ListVersionsAsync(path, cancellationToken);
            return versions.Count > 0 ? versions[0] : null;
        }
        catch (MetadataException e) when (e.Code == MetadataErrorCode.NotFound)
        {
            return null;
        }
    }

    private static async Task<NoContent> DeleteAsync(
        HttpContext context, IMetadataService metadata, string? path,
        [FromHeader(Name = "If-Match")] string? ifMatch, [FromHeader(Name = LockToken.Header)] string? lockToken, CancellationToken cancellationToken)
    {
        var filePath = ApiPath.FileFrom(context, Prefix);
        var entry = await metadata.StatAsync(filePath, cancellationToken);
        if (entry.Kind == EntryKind.Directory)
        {
            throw new MetadataException(MetadataErrorCode.IsADirectory, $"{filePath} is a directory: delete it through /api/dirs.");
        }
        var expected = ExpectedVersion.Any;
        if (ifMatch is not null)
        {
            ETags.CheckSyntax(ifMatch, "If-Match");
            var current = await CurrentAsync(metadata, filePath, cancellationToken)
                ?? throw ApiProblemException.PreconditionFailed($"{filePath} does not exist, so no version matches If-Match {ifMatch}.");
            var etag = ETags.From(current.Checksum);
            expected = ETags.Matches(ifMatch, etag)
                ? ExpectedVersion.Is(current.Number)
                : throw ApiProblemException.PreconditionFailed($"{filePath} is at version {current.Number} with ETag {etag}, which If-Match {ifMatch} does not name.");
        }
        var owner = await LockChecks.OwnerAsync(metadata, filePath, lockToken, cancellationToken);
        try
        {
            await metadata.DeleteAsync(filePath, recursive: false, expected, owner, cancellationToken);
        }
        catch (MetadataException e) when (e.Code == MetadataErrorCode.Conflict && ifMatch is not null)
        {
            throw ApiProblemException.PreconditionFailed($"{filePath} changed before it could be deleted: {e.Message}");
        }
        return TypedResults.NoContent();
    }
}
