using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Dfs.Cli.Tests.Fake;

internal sealed partial class FakeGateway
{
    private void MapFiles(WebApplication app)
    {
        app.MapPut("/api/files/{**path}", async (string? path, HttpRequest request, CancellationToken cancellationToken) =>
        {
            var p = FakeFileSystem.Checked(path);
            // The fake keeps bytes in memory; a body cut short throws here, before anything is stored.
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body, cancellationToken);
            var ifMatch = Header(request, "If-Match");
            var version = Files.PutFile(
                p,
                body.ToArray(),
                Header(request, "Content-Type") ?? "application/octet-stream",
                ifMatch,
                Header(request, "If-None-Match") == "*",
                Header(request, "X-Dfs-Lock-Token"));
            request.HttpContext.Response.Headers.ETag = version.Etag;
            return Results.Created(
                "/api/files/" + Encoded(p),
                new { path = p, version = version.Number, size = version.Data.LongLength, etag = version.Etag, modified = Time(version.Modified) });
        });

        app.MapMethods("/api/files/{**path}", ["GET", "HEAD"], async (string? path, HttpContext context, CancellationToken cancellationToken) =>
        {
            var p = FakeFileSystem.Checked(path);
            var node = Files.Find(p) ?? throw Problem.NotFound(p);
            if (node.IsDirectory)
            {
                throw Problem.IsADirectory(p);
            }
            var wanted = VersionOf(context.Request);
            var version = wanted is null
                ? node.Latest
                : node.Versions.SingleOrDefault(v => v.Number == wanted) ?? throw new Problem(404, "version-not-found", $"{p} has no version {wanted}.");
            var response = context.Response;
            response.Headers.ETag = version.Etag;
            response.Headers.LastModified = version.Modified.ToString("R", CultureInfo.InvariantCulture);
            response.Headers.AcceptRanges = "bytes";
            response.Headers["X-Dfs-Version"] = version.Number.ToString(CultureInfo.InvariantCulture);
            var ifNoneMatch = Header(context.Request, HeaderNames.IfNoneMatch);
            if (ifNoneMatch is not null && (ifNoneMatch == "*" || ifNoneMatch.Split(',').Select(e => e.Trim()).Contains(version.Etag)))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }
            response.ContentType = version.ContentType;
            response.ContentLength = version.Data.LongLength;
            if (HttpMethods.IsHead(context.Request.Method))
            {
                return;
            }
            if (BreakDownloadsAfterBytes is { } cut && cut < version.Data.LongLength)
            {
                await response.Body.WriteAsync(version.Data.AsMemory(0, (int)cut), cancellationToken);
                await response.Body.FlushAsync(cancellationToken);
                context.Abort();
                return;
            }
            await response.Body.WriteAsync(version.Data, cancellationToken);
        });

        app.MapDelete("/api/files/{**path}", (string? path, HttpRequest request) =>
        {
            var p = FakeFileSystem.Checked(path);
            Files.DeleteFile(p, Header(request, "If-Match"), Header(request, "X-Dfs-Lock-Token"));
            return Results.NoContent();
        });

        app.MapGet("/api/files", (HttpRequest request) =>
        {
            var prefix = request.Query["prefix"].ToString() is { Length: > 0 } given ? given : "/";
            var cursor = request.Query["cursor"].ToString() is { Length: > 0 } c ? c : null;
            var (items, next) = Files.ListFiles(prefix, Limit(request), cursor);
            return Results.Ok(new
            {
                items = items.Select(i => new { path = i.Path, size = i.Node.Latest.Data.LongLength, version = i.Node.Latest.Number, modified = Time(i.Node.Latest.Modified), etag = i.Node.Latest.Etag }),
                next,
            });
        });

        app.MapPost("/api/rename", (RenameRequest body) =>
        {
            var from = FakeFileSystem.Checked(body.From?.TrimStart('/'));
            var to = FakeFileSystem.Checked(body.To?.TrimStart('/'));
            Files.Rename(from, to, body.Replace);
            return Results.Ok(new { from, to });
        });

        app.MapGet("/api/meta/{**path}", (string? path, HttpRequest request) =>
        {
            var p = FakeFileSystem.Checked(path);
            var node = Files.Find(p) ?? throw Problem.NotFound(p);
            var (holder, queue) = Files.LockOf(p);
            var @lock = new { holder = holder?.Owner, queue };
            if (node.IsDirectory)
            {
                return Results.Ok(new
                {
                    path = p,
                    kind = "directory",
                    size = 0,
                    version = 0,
                    modified = Time(node.Modified),
                    contentType = (string?)null,
                    etag = (string?)null,
                    chunks = Array.Empty<object>(),
                    versions = Array.Empty<object>(),
                    @lock,
                });
            }
            var wanted = VersionOf(request);
            var version = wanted is null
                ? node.Latest
                : node.Versions.SingleOrDefault(v => v.Number == wanted) ?? throw new Problem(404, "version-not-found", $"{p} has no version {wanted}.");
            return Results.Ok(new
            {
                path = p,
                kind = "file",
                size = version.Data.LongLength,
                version = version.Number,
                modified = Time(version.Modified),
                contentType = version.ContentType,
                etag = version.Etag,
                chunks = ChunksOf(p, version),
                versions = node.Versions.AsEnumerable().Reverse().Select(v => new { version = v.Number, size = v.Data.LongLength, etag = v.Etag, modified = Time(v.Modified), contentType = v.ContentType }),
                @lock,
            });
        });
    }

    // A Location header is ASCII: the path percent-encoded per segment, as the URLs carry it.
    private static string Encoded(string path) => string.Join('/', path[1..].Split('/').Select(Uri.EscapeDataString));

    private static IEnumerable<object> ChunksOf(string path, FakeVersion version)
    {
        for (var offset = 0L; offset < version.Data.LongLength; offset += ChunkSize)
        {
            var length = (int)Math.Min(ChunkSize, version.Data.LongLength - offset);
            var id = ((ulong)(uint)path.GetHashCode(StringComparison.Ordinal) << 32 | (ulong)(version.Number << 8) | (ulong)(offset / ChunkSize)).ToString("x16", CultureInfo.InvariantCulture);
            yield return new
            {
                id,
                length,
                checksum = Dfs.Common.Hashing.Crc32C.Compute(version.Data.AsSpan((int)offset, length)).ToString("x8", CultureInfo.InvariantCulture),
                chunkVersion = 1,
                replicas = new[] { new { id = "c1", host = "127.0.0.1", port = 9101 }, new { id = "c2", host = "127.0.0.1", port = 9102 } },
            };
        }
    }

    private sealed record RenameRequest(string? From, string? To, bool Replace);
}
