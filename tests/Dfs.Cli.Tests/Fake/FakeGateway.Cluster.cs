using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Dfs.Cli.Tests.Fake;

internal sealed partial class FakeGateway
{
    private void MapCluster(WebApplication app)
    {
        app.MapGet("/api/cluster", () => Results.Ok(new
        {
            leader = "m1",
            masters = new[]
            {
                new { id = "m1", address = "127.0.0.1:7001", role = "leader", term = 3L, commitIndex = 42L, healthy = true, pid = 101 },
                new { id = "m2", address = "127.0.0.1:7002", role = "follower", term = 3L, commitIndex = 42L, healthy = true, pid = 102 },
                new { id = "m3", address = "127.0.0.1:7003", role = "follower", term = 3L, commitIndex = 41L, healthy = false, pid = 103 },
            },
            chunkServers = new[]
            {
                new { id = "c1", address = "127.0.0.1:9101", alive = true, draining = false, capacityBytes = 1L << 30, usedBytes = 1L << 20, freeBytes = (1L << 30) - (1L << 20), chunkCount = 4L, load = 0.25, pid = 201 },
                new { id = "c2", address = "127.0.0.1:9102", alive = false, draining = true, capacityBytes = 1L << 30, usedBytes = 0L, freeBytes = 1L << 30, chunkCount = 0L, load = 0.0, pid = 202 },
            },
            replicationFactor = 3,
            underReplicatedChunks = 1,
            replicationsInFlight = 0,
        }));

        app.MapPost("/api/cluster/chunkservers/{id}/drain", (string id) => Results.Accepted());
        app.MapDelete("/api/cluster/chunkservers/{id}/drain", (string id) => Results.NoContent());

        app.MapGet("/health", () => Unavailable
            ? Results.Json(new { status = "unavailable", leader = (string?)null }, statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Ok(new { status = "ok", leader = "m1" }));
    }
}
