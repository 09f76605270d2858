namespace Dfs.Cli.Gateway.Contracts;

/// <summary>The values of the <c>kind</c> field.</summary>
public static class EntryKinds
{
    /// <summary>A regular file.</summary>
    public const string File = "file";

    /// <summary>A directory.</summary>
    public const string Directory = "directory";
}
