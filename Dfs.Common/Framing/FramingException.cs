namespace Dfs.Common.Framing;

/// <summary>The bytes on a connection do not form a valid frame; the connection cannot continue.</summary>
public sealed class FramingException(string message) : IOException(message);
