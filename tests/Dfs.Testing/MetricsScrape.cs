using System.Globalization;
using System.Text.RegularExpressions;

namespace Dfs.Testing;

/// <summary>Reads samples out of a Prometheus text exposition, as a test that scraped a node's <c>/metrics</c> needs them.</summary>
public static class MetricsScrape
{
    /// <summary>The value of the first sample named <paramref name="name"/> (with or without labels).</summary>
    /// <exception cref="InvalidOperationException">No such sample; the message holds the whole scrape.</exception>
    public static double Value(string exposition, string name)
    {
        ArgumentNullException.ThrowIfNull(exposition);
        var match = Regex.Match(exposition, $"^{Regex.Escape(name)}(?:\\{{[^}}]*\\}})? (\\S+)$", RegexOptions.Multiline);
        return match.Success
            ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"{name} is missing from the scrape:\n{exposition}");
    }
}
