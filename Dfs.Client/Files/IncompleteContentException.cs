namespace Dfs.Client.Files;

/// <summary>The content of an upload ended before (or ran past) the length it announced; nothing was committed.</summary>
public sealed class IncompleteContentException : IOException
{
    public IncompleteContentException(string message)
        : base(message)
    {
    }

    public IncompleteContentException()
        : this("The content ended before its announced length.")
    {
    }

    public IncompleteContentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
