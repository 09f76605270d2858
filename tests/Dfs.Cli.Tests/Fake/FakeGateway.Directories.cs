using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Dfs.Cli.Tests.Fake;

internal sealed partial class FakeGateway
{
    private void MapDirectories(WebApplication app)
    {
        app.MapPut("/api/dirs/{**path}", (string? path) =>
        {
            var p = FakeFileSystem.Checked(path);
            var created = Files.CreateDirectory(p);
            return created ? Results.Created("/api/dirs/" + Encoded(p), new { path = p, created }) : Results.Ok(new { path = p, created });
        });

        app.MapGet("/api/dirs/{**path}", (string? path, HttpRequest request) =>
        {
            var p = FakeFileSystem.Checked(path);
            var after = request.Query["after"].ToString() is { Length: > 0 } a ? a : null;
            var (entries, next) = Files.ListDirectory(p, Limit(request), after);
            return Results.Ok(new
            {
                path = p,
                entries = entries.Select(e => new
                {
                    name = e.Name,
                    path = e.Path,
                    kind = e.Node.IsDirectory ? "directory" : "file",
                    size = e.Node.IsDirectory ? 0 : e.Node.Latest.Data.LongLength,
                    version = e.Node.IsDirectory ? 0 : e.Node.Latest.Number,
                    modified = Time(e.Node.Modified),
                }),
                next,
            });
        });

        app.MapDelete("/api/dirs/{**path}", (string? path, HttpRequest request) =>
        {
            var p = FakeFileSystem.Checked(path);
            Files.DeleteDirectory(p, request.Query["recursive"] == "true");
            return Results.NoContent();
        });
    }
}
