namespace Dfs.Common.Wire;

/// <summary>
/// Bytes read with <see cref="WireReader"/> are not what the format says: truncated, a length beyond its limit,
/// an overlong varint, invalid UTF-8 or trailing bytes. The message names what was being read and at which byte.
/// </summary>
/// <remarks>Protocols report their own error type at their edge, with this one as its cause or base.</remarks>
public class WireFormatException : FormatException
{
    public WireFormatException()
    {
    }

    public WireFormatException(string message)
        : base(message)
    {
    }

    public WireFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
