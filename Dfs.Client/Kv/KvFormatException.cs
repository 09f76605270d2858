namespace Dfs.Client.Kv;

/// <summary>Bytes that should hold an encoded command, result or snapshot are malformed (truncated, unknown tag, bad checksum).</summary>
public sealed class KvFormatException : Exception
{
    public KvFormatException(string message)
        : base(message)
    {
    }

    public KvFormatException()
    {
    }

    public KvFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
