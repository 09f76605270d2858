using System.Text.Json;
using Dfs.Client.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Dfs.Gateway.Http;

/// <summary><c>POST /api/rename</c>: moves a file or a directory in one transaction.</summary>
public static class RenameEndpoints
{
    /// <summary>Largest rename body read: two paths of at most 4 KiB each, escaped, and the flag.</summary>
    private const int MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapRenameApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/rename", RenameAsync)
            .WithName("Rename")
            .WithTags("Files")
            .WithSummary("Moves or renames a file or a directory atomically.")
            .WithDescription("Body { from, to, replace }: the parent of 'to' must exist; an existing 'to' is replaced only with replace=true.")
            .Accepts<RenameJson>("application/json")
            .Produces<RenamedJson>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return routes;
    }

    private static async Task<Ok<RenamedJson>> RenameAsync(HttpContext context, IMetadataService metadata, CancellationToken cancellationToken)
    {
        var body = await ReadBodyAsync(context, cancellationToken);
        var from = ApiPath.Check(body.From, "from");
        var to = ApiPath.Check(body.To, "to");
        await metadata.RenameAsync(from, to, body.Replace, cancellationToken);
        return TypedResults.Ok(new RenamedJson(from, to));
    }

    private static async Task<RenameJson> ReadBodyAsync(HttpContext context, CancellationToken cancellationToken)
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            throw ApiProblemException.InvalidArgument($"A rename body is at most {MaxBodyBytes} bytes.");
        }
        if (!(context.Request.HasJsonContentType()))
        {
            throw new ApiProblemException(StatusCodes.Status415UnsupportedMediaType, "invalid-argument", "Unsupported media type",
                "A rename body is JSON (Content-Type: application/json): { \"from\": \"/a\", \"to\": \"/b\", \"replace\": false }.");
        }
        try
        {
            return await JsonSerializer.DeserializeAsync(context.Request.Body, GatewayJsonContext.Default.RenameJson, cancellationToken)
                ?? throw ApiProblemException.InvalidArgument("The rename body is null; send { \"from\": \"/a\", \"to\": \"/b\" }.");
        }
        catch (JsonException e)
        {
            throw ApiProblemException.InvalidArgument($"The rename body is not valid JSON of the form {{ \"from\": \"/a\", \"to\": \"/b\", \"replace\": false }}: {e.Message}");
        }
    }
}
