namespace Dfs.Client.Files;

/// <summary>The cluster has too few chunk servers with space for a new chunk's pipeline; nothing was committed.</summary>
public sealed class InsufficientStorageException : IOException
{
    public InsufficientStorageException(string message)
        : base(message)
    {
    }

    public InsufficientStorageException()
        : this("Too few chunk servers have space for a new chunk.")
    {
    }

    public InsufficientStorageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
