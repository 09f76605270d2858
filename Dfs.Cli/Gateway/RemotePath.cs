using System.Text;
using Dfs.Client.Metadata;

namespace Dfs.Cli.Gateway;

/// <summary>File-system paths as the command line takes them and as the gateway's URLs carry them.</summary>
public static class RemotePath
{
    /// <summary>The root directory.</summary>
    public const string Root = "/";

    /// <summary>
    /// The absolute path a user means by <paramref name="input"/>: a missing leading '/' is added and a trailing '/'
    /// dropped; the result obeys the path rules.
    /// </summary>
    /// <exception cref="MetadataException">InvalidPath, naming the rule broken.</exception>
    public static string Normalize(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var path = input.StartsWith('/') ? input : "/" + input;
        if (path.Length > 1 && path.EndsWith('/'))
        {
            path = path[..^1];
        }
        MetadataPath.Parse(path);
        return path;
    }

    /// <summary>True when the user wrote a trailing '/', meaning "into this directory".</summary>
    public static bool NamesDirectory(string input) => input.EndsWith('/');

    /// <summary>The checked path of <paramref name="name"/> inside <paramref name="directory"/>.</summary>
    /// <exception cref="MetadataException">InvalidPath, naming the rule broken.</exception>
    public static string Combine(string directory, string name)
    {
        var path = directory == Root ? "/" + name : directory + "/" + name;
        MetadataPath.Parse(path);
        return path;
    }

    /// <summary>The last segment of <paramref name="path"/> (empty for the root).</summary>
    public static string NameOf(string path) => path[(path.LastIndexOf('/') + 1)..];

    /// <summary>The parent of <paramref name="path"/> (the root's parent is the root).</summary>
    public static string ParentOf(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? Root : path[..slash];
    }

    /// <summary>
    /// <paramref name="path"/> as it goes into a URL: without its leading '/', each segment percent-encoded
    /// (<c>/a/b c.txt</c> → <c>a/b%20c.txt</c>; the root → the empty string).
    /// </summary>
    public static string Encode(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length <= 1)
        {
            return string.Empty;
        }
        var encoded = new StringBuilder(path.Length + 16);
        foreach (var segment in path[1..].Split('/'))
        {
            if (encoded.Length > 0)
            {
                encoded.Append('/');
            }
            encoded.Append(Uri.EscapeDataString(segment));
        }
        return encoded.ToString();
    }
}
