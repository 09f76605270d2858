using System.Globalization;
using Dfs.Client.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Dfs.Gateway.Http;

/// <summary><c>GET /api/meta/{path}</c>: a file's versions, chunks and replicas, and its lock; a directory's kind.</summary>
public static class MetaEndpoints
{
    public const string Prefix = "/api/meta/";

    public static IEndpointRouteBuilder MapMetaApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/meta/{**path}", GetAsync)
            .WithName("GetMetadata")
            .WithTags("Files")
            .WithSummary("A file's metadata (or ?version=N): size, ETag, chunks with their replicas, every kept version, the lock.")
            .WithDescription("For a directory: kind directory, size 0, version 0, no chunks or versions.")
            .Produces<MetaJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return routes;
    }

    private static async Task<Ok<MetaJson>> GetAsync(HttpContext context, IMetadataService metadata, string? path, [FromQuery] string? version,
        CancellationToken cancellationToken)
    {
        var metaPath = ApiPath.From(context, Prefix);
        long? number = null;
        if (version is not null)
        {
            number = long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw ApiProblemException.InvalidArgument("version is a positive whole number.");
        }
        var entry = await metadata.StatAsync(metaPath, cancellationToken);
        var queue = await metadata.LockQueueAsync(metaPath, cancellationToken);
        var lockState = new LockStateJson(queue.Count > 0 ? queue[0].ClientId : null, [.. queue.Skip(1).Select(h => h.ClientId)]);
        if (entry.Kind == EntryKind.Directory)
        {
            return TypedResults.Ok(new MetaJson(metaPath, "directory", 0, 0, ApiTime.Iso(entry.ModifiedMs), null, null, [], [], lockState));
        }
        var location = await metadata.LookupAsync(metaPath, number, cancellationToken);
        var versions = await metadata.ListVersionsAsync(metaPath, cancellationToken);
        var v = location.Version;
        var chunks = location.Chunks.Select(c => new ChunkJson(
            c.Chunk.ChunkId.ToString("x16", CultureInfo.InvariantCulture), c.Chunk.Length, c.Chunk.Checksum.ToString("x8", CultureInfo.InvariantCulture),
            c.Chunk.ChunkVersion, [.. c.Replicas.Select(r => new ReplicaJson(r.Id, r.Host, r.Port))])).ToArray();
        return TypedResults.Ok(new MetaJson(metaPath, "file", v.Size, v.Number, ApiTime.Iso(v.CreatedMs), v.ContentType, ETags.From(v.Checksum), chunks,
            [.. versions.Select(k => new VersionJson(k.Number, k.Size, ETags.From(k.Checksum), ApiTime.Iso(k.CreatedMs), k.ContentType))], lockState,
            v.IsInline));
    }
}
