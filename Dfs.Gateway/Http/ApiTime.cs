using System.Globalization;

namespace Dfs.Gateway.Http;

/// <summary>Times as the REST interface writes them.</summary>
public static class ApiTime
{
    /// <summary>ISO 8601 in UTC with milliseconds: <c>2026-12-02T22:00:00.000Z</c>.</summary>
    public static string Iso(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>RFC 1123, for Last-Modified.</summary>
    public static string Http(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("R", CultureInfo.InvariantCulture);
}
