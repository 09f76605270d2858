using System.Text;

namespace Dfs.Client.Metadata;

/// <summary>Checks paths and names and splits paths into segments.</summary>
public static class MetadataPath
{
    /// <summary>Longest name (one segment), in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 255;

    /// <summary>Longest path, in UTF-8 bytes.</summary>
    public const int MaxPathBytes = 4096;

    /// <summary>Most segments in a path: keeps the compares guarding a path's entries well inside one transaction's limit.</summary>
    public const int MaxDepth = 256;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The segments of <paramref name="path"/> (none for the root).</summary>
    /// <exception cref="MetadataException">InvalidPath, naming the rule broken.</exception>
    public static string[] Parse(string? path)
    {
        if (string.IsNullOrEmpty(path) || path[0] != '/')
        {
            throw Invalid(path, "a path starts with '/'");
        }
        if (path.Length == 1)
        {
            return [];
        }
        int bytes;
        try
        {
            bytes = StrictUtf8.GetByteCount(path);
        }
        catch (EncoderFallbackException)
        {
            throw Invalid(path, "a path is valid Unicode (no lone surrogates)");
        }
        if (bytes > MaxPathBytes)
        {
            throw Invalid(path, $"a path is at most {MaxPathBytes} UTF-8 bytes");
        }
        var segments = path[1..].Split('/');
        if (segments.Length > MaxDepth)
        {
            throw Invalid(path, $"a path has at most {MaxDepth} segments");
        }
        foreach (var segment in segments)
        {
            CheckName(segment, path);
        }
        return segments;
    }

    /// <summary>Joins <paramref name="count"/> leading segments back into a path.</summary>
    public static string Join(string[] segments, int count) => count == 0 ? "/" : "/" + string.Join('/', segments, 0, count);

    /// <summary>Checks one name (a path segment, or a listing cursor).</summary>
    /// <exception cref="MetadataException">InvalidPath, naming the rule broken.</exception>
    public static void CheckName(string name, string? path = null)
    {
        var where = path ?? name;
        if (name.Length == 0)
        {
            throw Invalid(where, "a path has no empty segment (no '//' and no trailing '/')");
        }
        if (name is "." or "..")
        {
            throw Invalid(where, "a path has no '.' or '..' segment");
        }
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw Invalid(where, "a path holds no NUL character");
        }
        if (name.Contains('/', StringComparison.Ordinal))
        {
            throw Invalid(where, "a name holds no '/'");
        }
        int bytes;
        try
        {
            bytes = StrictUtf8.GetByteCount(name);
        }
        catch (EncoderFallbackException)
        {
            throw Invalid(where, "a name is valid Unicode (no lone surrogates)");
        }
        if (bytes > MaxNameBytes)
        {
            throw Invalid(where, $"a name is at most {MaxNameBytes} UTF-8 bytes");
        }
    }

    private static MetadataException Invalid(string? path, string rule)
    {
        var shown = path is null ? "(null)" : path.Length > 80 ? path[..80] + "…" : path;
        return new MetadataException(MetadataErrorCode.InvalidPath, $"Invalid path '{shown}': {rule}.");
    }
}
