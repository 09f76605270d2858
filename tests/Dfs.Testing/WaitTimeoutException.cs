namespace Dfs.Testing;

/// <summary>A bounded wait ended without the expected state; the message says what was expected and what was seen.</summary>
public sealed class WaitTimeoutException : TimeoutException
{
    /// <summary>Creates the exception with a message naming the expectation and the last state seen.</summary>
    public WaitTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that ended the wait.</summary>
    public WaitTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public WaitTimeoutException()
    {
    }
}
