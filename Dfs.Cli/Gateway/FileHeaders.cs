using System.Globalization;

namespace Dfs.Cli.Gateway;

/// <summary>What the headers of a download say about the file.</summary>
/// <param name="Length">The body's length (Content-Length), when sent.</param>
/// <param name="Version">The version served (X-Dfs-Version), when sent.</param>
public sealed record FileHeaders(string Path, long? Length, string? Etag, long? Version, string? ContentType, DateTimeOffset? LastModified)
{
    internal static FileHeaders From(string path, HttpResponseMessage response)
    {
        long? version = response.Headers.TryGetValues(GatewayClient.VersionHeader, out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
        return new FileHeaders(
            path,
            response.Content.Headers.ContentLength,
            response.Headers.ETag?.ToString(),
            version,
            response.Content.Headers.ContentType?.ToString(),
            response.Content.Headers.LastModified);
    }
}
