using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Dfs.Cli.Gateway.Contracts;

namespace Dfs.Cli.Gateway;

public sealed partial class GatewayClient
{
    private const int UploadBufferBytes = 128 * 1024;

    /// <summary><c>PUT /api/files/{path}</c>: uploads <paramref name="content"/> as the file's next version, streaming it.</summary>
    /// <param name="length">The body's length, sent as Content-Length; null sends it chunked.</param>
    public async Task<FileWriteResult> PutFileAsync(string path, Stream content, long? length, PutFileOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        options ??= new PutFileOptions();
        using var request = new HttpRequestMessage(HttpMethod.Put, "api/files/" + RemotePath.Encode(path));
        var body = new StreamContent(content, UploadBufferBytes);
        body.Headers.ContentLength = length;
        body.Headers.ContentType = MediaTypeHeaderValue.Parse(options.ContentType ?? "application/octet-stream");
        request.Content = body;
        if (options.IfMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", QuoteEtag(options.IfMatch));
        }
        if (options.IfNoneMatchAny)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", "*");
        }
        AddLockToken(request, options.LockToken);
        return await ReadJsonAsync<FileWriteResult>(request, cancellationToken);
    }

    /// <summary><c>GET /api/files/{path}[?version=N]</c>: opens the file's bytes as a stream (the caller disposes the download).</summary>
    /// <param name="range">One byte range (206), or null for the whole file.</param>
    public async Task<FileDownload> OpenFileAsync(string path, long? version = null, RangeHeaderValue? range = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Query("api/files/" + RemotePath.Encode(path), ("version", Number(version))));
        request.Headers.Range = range;
        var response = await SendAsync(request, cancellationToken, HttpCompletionOption.ResponseHeadersRead);
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            return new FileDownload(response, stream, FileHeaders.From(path, response));
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            response.Dispose();
            throw new GatewayUnreachableException($"The connection to the gateway at {BaseAddress} broke before the download of {path} began: {Innermost(e).Message}", e);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary><c>HEAD /api/files/{path}</c>: the headers a download would have, without the body.</summary>
    public async Task<FileHeaders> HeadFileAsync(string path, long? version = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, Query("api/files/" + RemotePath.Encode(path), ("version", Number(version))));
        using var response = await SendAsync(request, cancellationToken);
        return FileHeaders.From(path, response);
    }

    /// <summary><c>DELETE /api/files/{path}</c>: deletes a file (every version).</summary>
    public async Task DeleteFileAsync(string path, string? ifMatch = null, string? lockToken = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, "api/files/" + RemotePath.Encode(path));
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", QuoteEtag(ifMatch));
        }
        AddLockToken(request, lockToken);
        using var response = await SendAsync(request, cancellationToken);
    }

    /// <summary><c>GET /api/files?prefix=&amp;limit=&amp;cursor=</c>: one page of the files under <paramref name="prefix"/>, at any depth, in path order.</summary>
    public async Task<FileListPage> ListFilesAsync(string prefix = "/", int? limit = null, string? cursor = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Query("api/files", ("prefix", prefix), ("limit", Number(limit)), ("cursor", cursor)));
        return await ReadJsonAsync<FileListPage>(request, cancellationToken);
    }

    /// <summary>Every file under <paramref name="prefix"/>, following the pages.</summary>
    public async IAsyncEnumerable<FileListItem> ListAllFilesAsync(string prefix = "/", int? pageSize = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? cursor = null;
        do
        {
            var page = await ListFilesAsync(prefix, pageSize, cursor, cancellationToken);
            foreach (var item in page.Items)
            {
                yield return item;
            }
            cursor = page.Next;
        }
        while (cursor is not null);
    }

    private static void AddLockToken(HttpRequestMessage request, string? token)
    {
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation(LockTokenHeader, token);
        }
    }
}
