namespace Dfs.Client.Kv;

/// <summary>A command or request breaks a rule of the store (empty or oversized key, oversized value, bad argument); nothing was changed.</summary>
public sealed class KvValidationException : Exception
{
    public KvValidationException(string message)
        : base(message)
    {
    }

    public KvValidationException()
    {
    }

    public KvValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
