using System.Globalization;

namespace Dfs.Gateway.Http;

/// <summary>The one byte range of a <c>Range</c> header a download serves.</summary>
/// <param name="Offset">First byte.</param>
/// <param name="Length">Bytes.</param>
public readonly record struct ByteRange(long Offset, long Length)
{
    /// <summary>
    /// The range <paramref name="header"/> asks of a <paramref name="size"/>-byte content: null for the whole content (no
    /// header, another unit, or several ranges, which are served whole).
    /// </summary>
    /// <exception cref="ApiProblemException">416 range-not-satisfiable for a malformed or unsatisfiable bytes range.</exception>
    public static ByteRange? Parse(string? header, long size)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }
        var text = header.Trim();
        if (!text.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var spec = text["bytes=".Length..].Trim();
        if (spec.Contains(',', StringComparison.Ordinal))
        {
            return null;
        }
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            throw Unsatisfiable(header, size, "a range is 'bytes=first-last', 'bytes=first-' or 'bytes=-suffix'");
        }
        var first = spec[..dash].Trim();
        var last = spec[(dash + 1)..].Trim();
        if (first.Length == 0)
        {
            if (!TryNumber(last, out var suffix))
            {
                throw Unsatisfiable(header, size, "a suffix range is 'bytes=-n' with a whole number n");
            }
            if (suffix == 0 || size == 0)
            {
                throw Unsatisfiable(header, size, "a suffix range asks for at least one byte of a non-empty file");
            }
            var length = Math.Min(suffix, size);
            return new ByteRange(size - length, length);
        }
        if (!TryNumber(first, out var start) || (last.Length > 0 && !TryNumber(last, out _)))
        {
            throw Unsatisfiable(header, size, "range bounds are whole numbers");
        }
        var end = last.Length == 0 ? size - 1 : long.Parse(last, NumberStyles.None, CultureInfo.InvariantCulture);
        if (end < start)
        {
            throw Unsatisfiable(header, size, "the last byte of a range is not before its first");
        }
        if (start >= size)
        {
            throw Unsatisfiable(header, size, $"the first byte is within the file's {size} bytes");
        }
        end = Math.Min(end, size - 1);
        return new ByteRange(start, end - start + 1);
    }

    /// <summary>The Content-Range value of this range of a <paramref name="size"/>-byte content.</summary>
    public string ContentRange(long size) => string.Create(CultureInfo.InvariantCulture, $"bytes {Offset}-{Offset + Length - 1}/{size}");

    private static bool TryNumber(string text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static ApiProblemException Unsatisfiable(string header, long size, string rule) =>
        new(StatusCodes.Status416RangeNotSatisfiable, "range-not-satisfiable", "Range not satisfiable",
            $"Range '{(header.Length > 80 ? header[..80] + "…" : header)}' cannot be served: {rule} (the file holds {size} bytes).")
        {
            Headers = new Dictionary<string, string> { ["Content-Range"] = string.Create(CultureInfo.InvariantCulture, $"bytes */{size}") },
        };
}
