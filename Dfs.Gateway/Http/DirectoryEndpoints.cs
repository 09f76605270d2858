using System.Globalization;
using Dfs.Client.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Dfs.Gateway.Http;

/// <summary><c>/api/dirs</c>: make a directory (and its parents), list one level (paged), delete (recursively on request).</summary>
public static class DirectoryEndpoints
{
    public const string Prefix = "/api/dirs/";

    public static IEndpointRouteBuilder MapDirectoryApi(this IEndpointRouteBuilder routes)
    {
        var dirs = routes.MapGroup("/api/dirs").WithTags("Directories");
        dirs.MapPut("/{**path}", CreateAsync)
            .WithName("CreateDirectory")
            .WithSummary("Makes a directory and any missing parents: 201 when made, 200 when it already was a directory.")
            .Produces<DirectoryCreatedJson>(StatusCodes.Status201Created)
            .Produces<DirectoryCreatedJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        dirs.MapGet("/{**path}", ListAsync)
            .WithName("ListDirectory")
            .WithSummary("One level of a directory (the root when the path is empty), in name order, paged with limit and after.")
            .Produces<DirectoryListingJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        dirs.MapDelete("/{**path}", DeleteAsync)
            .WithName("DeleteDirectory")
            .WithSummary("Deletes an empty directory, or everything under it with recursive=true.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return routes;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, IMetadataService metadata, string? path, CancellationToken cancellationToken)
    {
        var dirPath = ApiPath.From(context, Prefix);
        if (dirPath == "/")
        {
            return TypedResults.Ok(new DirectoryCreatedJson("/", false));
        }
        var created = await metadata.MkdirAsync(dirPath, parents: true, cancellationToken);
        var body = new DirectoryCreatedJson(dirPath, created);
        return created ? TypedResults.Created(ApiPath.ToUrl(Prefix, dirPath), body) : TypedResults.Ok(body);
    }

    private static async Task<Ok<DirectoryListingJson>> ListAsync(HttpContext context, IMetadataService metadata, string? path,
        [FromQuery] string? limit, [FromQuery] string? after, CancellationToken cancellationToken)
    {
        var dirPath = ApiPath.From(context, Prefix);
        var count = 1000;
        if (limit is not null && !(int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) && count is >= 1 and <= FileEndpoints.MaxListLimit))
        {
            throw ApiProblemException.InvalidArgument($"limit is a whole number from 1 to {FileEndpoints.MaxListLimit}.");
        }
        if (after is not null)
        {
            MetadataPath.CheckName(after);
        }
        var entry = await metadata.StatAsync(dirPath, cancellationToken);
        if (entry.Kind != EntryKind.Directory)
        {
            throw new MetadataException(MetadataErrorCode.NotADirectory, $"{dirPath} is a file: read it through /api/files.");
        }
        var page = await metadata.ListAsync(dirPath, after, count, cancellationToken);
        var basePath = dirPath == "/" ? "/" : dirPath + "/";
        var entries = page.Entries.Select(e => new DirectoryEntryJson(e.Name, basePath + e.Name, Kind(e.Kind), e.Size, e.Version, ApiTime.Iso(e.ModifiedMs))).ToArray();
        return TypedResults.Ok(new DirectoryListingJson(dirPath, entries, page.More && entries.Length > 0 ? entries[^1].Name : null));
    }

    private static async Task<NoContent> DeleteAsync(HttpContext context, IMetadataService metadata, string? path, [FromQuery] string? recursive,
        CancellationToken cancellationToken)
    {
        var dirPath = ApiPath.From(context, Prefix);
        if (dirPath == "/")
        {
            throw new MetadataException(MetadataErrorCode.InvalidPath, "The root directory cannot be deleted.");
        }
        var all = recursive switch
        {
            null => false,
            _ when bool.TryParse(recursive, out var value) => value,
            _ => throw ApiProblemException.InvalidArgument("recursive is true or false."),
        };
        var entry = await metadata.StatAsync(dirPath, cancellationToken);
        if (entry.Kind != EntryKind.Directory)
        {
            throw new MetadataException(MetadataErrorCode.NotADirectory, $"{dirPath} is a file: delete it through /api/files.");
        }
        await metadata.DeleteAsync(dirPath, all, null, null, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>The JSON name of an entry kind.</summary>
    public static string Kind(EntryKind kind) => kind == EntryKind.Directory ? "directory" : "file";
}
