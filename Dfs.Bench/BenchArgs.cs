namespace Dfs.Bench;

/// <summary>Named options of the bench commands: <c>--name value</c>.</summary>
internal static class BenchArgs
{
    /// <returns>The value after <paramref name="name"/>, or null when the option is absent or has no value.</returns>
    public static string? Text(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
