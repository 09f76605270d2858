using System.Globalization;
using Dfs.Client.Files;
using Dfs.Client.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace Dfs.Gateway.Http;

public static partial class FileEndpoints
{
    /// <summary>The header naming the version a download serves.</summary>
    public const string VersionHeader = "X-Dfs-Version";

    private static Task<IResult> DownloadAsync(HttpContext context, IMetadataService metadata, FileDownloader downloader, string? path,
        [FromQuery] string? version, [FromHeader(Name = "Range")] string? range, [FromHeader(Name = "If-None-Match")] string? ifNoneMatch,
        [FromHeader(Name = "If-Modified-Since")] string? ifModifiedSince, CancellationToken cancellationToken) =>
        ServeAsync(context, metadata, downloader, withBody: true, version, range, ifNoneMatch, ifModifiedSince, cancellationToken);

    private static Task<IResult> HeadAsync(HttpContext context, IMetadataService metadata, FileDownloader downloader, string? path,
        [FromQuery] string? version, [FromHeader(Name = "Range")] string? range, [FromHeader(Name = "If-None-Match")] string? ifNoneMatch,
        [FromHeader(Name = "If-Modified-Since")] string? ifModifiedSince, CancellationToken cancellationToken) =>
        ServeAsync(context, metadata, downloader, withBody: false, version, range, ifNoneMatch, ifModifiedSince, cancellationToken);

    private static async Task<IResult> ServeAsync(HttpContext context, IMetadataService metadata, FileDownloader downloader, bool withBody,
        string? version, string? range, string? ifNoneMatch, string? ifModifiedSince, CancellationToken cancellationToken)
    {
        var filePath = ApiPath.FileFrom(context, Prefix);
        var number = ParseVersion(version);
        var location = await metadata.LookupAsync(filePath, number, cancellationToken);
        var current = location.Version;
        var etag = ETags.From(current.Checksum);
        var headers = context.Response.Headers;
        headers.ETag = etag;
        headers.LastModified = ApiTime.Http(current.CreatedMs);
        headers.AcceptRanges = "bytes";
        headers[VersionHeader] = current.Number.ToString(CultureInfo.InvariantCulture);

        if (ifNoneMatch is not null ? ETags.Matches(ifNoneMatch, etag) : NotModifiedSince(ifModifiedSince, current.CreatedMs))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }
        var slice = ByteRange.Parse(range, current.Size);
        var offset = slice?.Offset ?? 0;
        var length = slice?.Length ?? current.Size;
        context.Response.StatusCode = slice is null ? StatusCodes.Status200OK : StatusCodes.Status206PartialContent;
        if (slice is { } r)
        {
            headers.ContentRange = r.ContentRange(current.Size);
        }
        context.Response.ContentType = string.IsNullOrEmpty(current.ContentType) ? DefaultContentType : current.ContentType;
        context.Response.ContentLength = length;
        return withBody && length > 0 ? new DownloadResult(downloader, location, offset, length) : Results.Empty;
    }

    /// <summary>The <c>version</c> query: null for the current version, else a positive whole number.</summary>
    private static long? ParseVersion(string? version)
    {
        if (version is null)
        {
            return null;
        }
        return long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw ApiProblemException.InvalidArgument($"version is a positive whole number (a version listed by /api/meta), not '{Shorten(version)}'.");
    }

    private static bool NotModifiedSince(string? ifModifiedSince, long createdMs) =>
        ifModifiedSince is not null &&
        HeaderUtilities.TryParseDate(ifModifiedSince, out var since) &&
        DateTimeOffset.FromUnixTimeMilliseconds(createdMs).ToUnixTimeSeconds() <= since.ToUnixTimeSeconds();

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;

    /// <summary>Streams the range into the response; a failure after the headers went out aborts the connection (the length then falls short).</summary>
    private sealed class DownloadResult(FileDownloader downloader, FileLocation location, long offset, long length) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var bytesOut = httpContext.RequestServices.GetRequiredService<GatewayMetrics>().BytesOut;
            try
            {
                await downloader.DownloadAsync(location, offset, length, httpContext.Response.BodyWriter, httpContext.RequestAborted,
                    sent: bytes => bytesOut.Inc(bytes));
            }
            catch (Exception) when (httpContext.Response.HasStarted)
            {
                httpContext.Abort();
            }
        }
    }
}
