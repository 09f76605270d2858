using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Dfs.Cli.Tests.Fake;

internal sealed partial class FakeGateway
{
    private void MapLocks(WebApplication app)
    {
        app.MapPost("/api/locks/{**path}", async (string? path, HttpRequest request, CancellationToken cancellationToken) =>
        {
            var p = FakeFileSystem.Checked(path);
            var ttl = Seconds(request, "ttl", 30, 1, 3600);
            var token = Header(request, "X-Dfs-Lock-Token");
            if (token is not null)
            {
                var renewed = Files.RenewLock(p, token, ttl);
                return Results.Ok(Lease(p, renewed));
            }
            var owner = request.Query["owner"].ToString();
            if (owner.Length == 0)
            {
                throw Problem.Invalid("owner is required.");
            }
            var granted = await Files.AcquireLockAsync(p, owner, ttl, Seconds(request, "wait", 0, 0, 300), cancellationToken);
            return Results.Ok(Lease(p, granted));
        });

        app.MapDelete("/api/locks/{**path}", (string? path, HttpRequest request) =>
        {
            Files.ReleaseLock(FakeFileSystem.Checked(path), Header(request, "X-Dfs-Lock-Token"));
            return Results.NoContent();
        });

        app.MapGet("/api/locks/{**path}", (string? path) =>
        {
            var p = FakeFileSystem.Checked(path);
            var (holder, queue) = Files.LockOf(p);
            return Results.Ok(new { path = p, holder = holder?.Owner, queue });
        });
    }

    private static object Lease(string path, FakeLock held) => new { path, owner = held.Owner, token = held.Token, expires = Time(held.Expires) };

    private static TimeSpan Seconds(HttpRequest request, string name, int fallback, int min, int max)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0)
        {
            return TimeSpan.FromSeconds(fallback);
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? TimeSpan.FromSeconds(value)
            : throw Problem.Invalid($"{name} is between {min} and {max} seconds.");
    }
}
