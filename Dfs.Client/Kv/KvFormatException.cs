using Dfs.Common.Wire;

namespace Dfs.Client.Kv;

/// <summary>Bytes that should hold an encoded command, result or snapshot are malformed (truncated, unknown tag, bad checksum).</summary>
/// <remarks>A <see cref="WireFormatException"/> from the shared reader reaches callers as this type, with that as its cause.</remarks>
public sealed class KvFormatException : WireFormatException
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
