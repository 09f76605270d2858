using System.Globalization;

namespace Dfs.Gateway.Http;

/// <summary>Entity tags: a version's whole-content CRC-32C as eight lowercase hex digits in quotes, and the If-* header tests.</summary>
public static class ETags
{
    public static string From(uint checksum) => "\"" + checksum.ToString("x8", CultureInfo.InvariantCulture) + "\"";

    /// <summary>True when an If-Match or If-None-Match value lists <paramref name="etag"/> (weakly compared) or is <c>*</c>.</summary>
    public static bool Matches(string header, string etag)
    {
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "*")
            {
                return true;
            }
            var tag = part.StartsWith("W/", StringComparison.Ordinal) ? part[2..] : part;
            if (string.Equals(tag, etag, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Checks the syntax of an If-Match / If-None-Match value: <c>*</c> or quoted tags separated by commas.</summary>
    /// <exception cref="ApiProblemException">400 naming the header.</exception>
    public static void CheckSyntax(string header, string name)
    {
        var parts = header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || !parts.All(p => p == "*" || IsQuoted(p.StartsWith("W/", StringComparison.Ordinal) ? p[2..] : p)))
        {
            throw ApiProblemException.InvalidArgument($"{name} is '*' or a list of quoted entity tags such as \"1a2b3c4d\".");
        }
    }

    private static bool IsQuoted(string tag) => tag.Length >= 2 && tag[0] == '"' && tag[^1] == '"' && !tag[1..^1].Contains('"', StringComparison.Ordinal);
}
