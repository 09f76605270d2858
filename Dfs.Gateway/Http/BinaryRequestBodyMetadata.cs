namespace Dfs.Gateway.Http;

/// <summary>Marks a route whose request body is raw bytes (<c>application/octet-stream</c>), read as a stream by the handler.</summary>
public sealed class BinaryRequestBodyMetadata;
