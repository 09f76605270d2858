namespace Dfs.Cli.Gateway;

/// <summary>Reading or writing a local file failed during a transfer; kept apart from network errors so the two map to different exit codes.</summary>
/// <remarks>An upload's body is read inside HttpClient, which wraps what the body throws; this type survives that wrapping and is found again.</remarks>
public sealed class LocalFileException : Exception
{
    public LocalFileException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
