namespace Dfs.Cli.Gateway;

/// <summary>An open download: the response's body stream and what its headers say. Dispose it to release the connection.</summary>
public sealed class FileDownload : IDisposable
{
    private readonly HttpResponseMessage _response;

    internal FileDownload(HttpResponseMessage response, Stream content, FileHeaders headers)
    {
        _response = response;
        Content = content;
        Headers = headers;
    }

    /// <summary>The bytes, read from the network as they are consumed.</summary>
    public Stream Content { get; }

    /// <summary>Length, ETag, version, content type and modification time.</summary>
    public FileHeaders Headers { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Content.Dispose();
        _response.Dispose();
    }
}
