using System.Text.Json;
using System.Text.Json.Serialization;
using Dfs.Client.ChunkServers;
using Dfs.Client.Master.Protocol;
using Dfs.Raft.Master.Http;

namespace Dfs.Raft.ChunkServers;

/// <summary>
/// Operators' routes on a master's API port: <c>GET /chunkservers</c> (this master's view) and
/// <c>POST|DELETE /chunkservers/{id}/drain</c> (start or stop draining; through the leader, so a follower redirects).
/// </summary>
public static class ChunkServerEndpoints
{
    public static IEndpointRouteBuilder MapChunkServerApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/chunkservers", (IChunkServerDirectory directory) =>
            Results.Bytes(JsonSerializer.SerializeToUtf8Bytes(directory.View(), ChunkServerJsonContext.Default.ChunkServersView), "application/json"));
        routes.MapPost("/chunkservers/{id}/drain", (HttpContext context, string id, IChunkServerDirectory directory) =>
            SetDrainingAsync(context, directory, id, true));
        routes.MapDelete("/chunkservers/{id}/drain", (HttpContext context, string id, IChunkServerDirectory directory) =>
            SetDrainingAsync(context, directory, id, false));
        return routes;
    }

    private static async Task<IResult> SetDrainingAsync(HttpContext context, IChunkServerDirectory directory, string id, bool draining)
    {
        try
        {
            await directory.SetDrainingAsync(id, draining, context.RequestAborted);
        }
        catch (ArgumentException e)
        {
            return MasterProblems.Problem(context, new MasterError(MasterErrorCode.NotFound, e.Message));
        }
        return Results.NoContent();
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ChunkServersView))]
internal sealed partial class ChunkServerJsonContext : JsonSerializerContext;
