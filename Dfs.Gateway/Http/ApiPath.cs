using System.Text;
using Dfs.Client.Metadata;
using Microsoft.AspNetCore.Http.Features;

namespace Dfs.Gateway.Http;

/// <summary>
/// The file-system path a request names after its route prefix (<c>/api/files/a/b%20c</c> is <c>/a/b c</c>), read from
/// the raw request target so that the server's own normalisation (dot segments, merged slashes) cannot hide a bad path.
/// </summary>
public static class ApiPath
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The checked path after <paramref name="prefix"/> (e.g. <c>/api/files/</c>); the root when nothing follows.</summary>
    /// <exception cref="MetadataException">InvalidPath, naming the rule broken.</exception>
    public static string From(HttpContext context, string prefix)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || raw[0] != '/')
        {
            raw = context.Request.PathBase + context.Request.Path.ToUriComponent();
        }
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            raw = raw[..query];
        }
        var trimmedPrefix = prefix.TrimEnd('/');
        string rest;
        if (raw.StartsWith(prefix, StringComparison.Ordinal))
        {
            rest = raw[prefix.Length..];
        }
        else if (raw == trimmedPrefix)
        {
            rest = "";
        }
        else
        {
            throw Invalid(raw, $"the path follows '{prefix}' in the request target without dot segments or repeated slashes");
        }
        var path = "/" + Decode(rest);
        MetadataPath.Parse(path);
        return path;
    }

    /// <summary>As <see cref="From"/>, but the root is refused: a file lives below it.</summary>
    public static string FileFrom(HttpContext context, string prefix)
    {
        var path = From(context, prefix);
        return path == "/" ? throw Invalid(path, "a file path names a file below the root '/'") : path;
    }

    /// <summary>Checks a path given in a body or a query (it must start with '/').</summary>
    public static string Check(string? path, string what)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw ApiProblemException.InvalidArgument($"'{what}' is required: an absolute path such as /a/b.txt.");
        }
        MetadataPath.Parse(path);
        return path;
    }

    /// <summary>The URL path of <paramref name="path"/> under <paramref name="prefix"/>, each segment percent-encoded.</summary>
    public static string ToUrl(string prefix, string path) =>
        prefix + string.Join('/', path.TrimStart('/').Split('/').Select(Uri.EscapeDataString));

    /// <summary>Percent-decodes to UTF-8 bytes and then to text, refusing bad escapes and bytes that are not UTF-8.</summary>
    private static string Decode(string encoded)
    {
        if (!encoded.Contains('%', StringComparison.Ordinal))
        {
            return encoded;
        }
        var bytes = new List<byte>(encoded.Length);
        for (var i = 0; i < encoded.Length; i++)
        {
            var c = encoded[i];
            if (c == '%')
            {
                if (i + 2 >= encoded.Length || !Uri.IsHexDigit(encoded[i + 1]) || !Uri.IsHexDigit(encoded[i + 2]))
                {
                    throw Invalid(encoded, "every '%' starts a two-digit hex escape");
                }
                bytes.Add((byte)((Uri.FromHex(encoded[i + 1]) << 4) | Uri.FromHex(encoded[i + 2])));
                i += 2;
            }
            else if (c < 0x80)
            {
                bytes.Add((byte)c);
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }
        try
        {
            return StrictUtf8.GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException)
        {
            throw Invalid(encoded, "a path is UTF-8 once percent-decoded");
        }
    }

    private static MetadataException Invalid(string path, string rule)
    {
        var shown = path.Length > 80 ? path[..80] + "…" : path;
        return new MetadataException(MetadataErrorCode.InvalidPath, $"Invalid path '{shown}': {rule}.");
    }
}
