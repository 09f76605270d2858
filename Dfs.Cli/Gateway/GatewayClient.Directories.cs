using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using Dfs.Cli.Gateway.Contracts;

namespace Dfs.Cli.Gateway;

public sealed partial class GatewayClient
{
    /// <summary><c>PUT /api/dirs/{path}</c>: creates the directory and its missing parents.</summary>
    public async Task<DirectoryCreated> CreateDirectoryAsync(string path, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "api/dirs/" + RemotePath.Encode(path));
        return await ReadJsonAsync<DirectoryCreated>(request, cancellationToken);
    }

    /// <summary><c>GET /api/dirs/{path}?limit=&amp;after=</c>: one page of one directory level, in name order.</summary>
    public async Task<DirectoryListing> ListDirectoryAsync(string path, int? limit = null, string? after = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Query("api/dirs/" + RemotePath.Encode(path), ("limit", Number(limit)), ("after", after)));
        return await ReadJsonAsync<DirectoryListing>(request, cancellationToken);
    }

    /// <summary>Every entry of one directory level, following the pages.</summary>
    public async IAsyncEnumerable<DirectoryEntry> ListDirectoryAllAsync(string path, int? pageSize = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? after = null;
        do
        {
            var page = await ListDirectoryAsync(path, pageSize, after, cancellationToken);
            foreach (var entry in page.Entries)
            {
                yield return entry;
            }
            after = page.Next;
        }
        while (after is not null);
    }

    /// <summary><c>DELETE /api/dirs/{path}[?recursive=true]</c>: deletes a directory (and, when recursive, all it holds).</summary>
    public async Task DeleteDirectoryAsync(string path, bool recursive = false, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, Query("api/dirs/" + RemotePath.Encode(path), ("recursive", recursive ? "true" : null)));
        using var response = await SendAsync(request, cancellationToken);
    }

    /// <summary><c>POST /api/rename</c>: moves a file or a directory.</summary>
    public async Task<RenameResult> RenameAsync(string from, string to, bool replace = false, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/rename")
        {
            Content = JsonContent.Create(new { from, to, replace }, options: Json),
        };
        return await ReadJsonAsync<RenameResult>(request, cancellationToken);
    }

    /// <summary><c>GET /api/meta/{path}[?version=N]</c>: metadata, chunks, kept versions and lock of a file or a directory.</summary>
    public async Task<FileMetadata> GetMetadataAsync(string path, long? version = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Query("api/meta/" + RemotePath.Encode(path), ("version", Number(version))));
        return await ReadJsonAsync<FileMetadata>(request, cancellationToken);
    }

    /// <summary>As <see cref="GetMetadataAsync"/>, but null when nothing is at <paramref name="path"/>.</summary>
    public async Task<FileMetadata?> TryGetMetadataAsync(string path, CancellationToken cancellationToken = default)
    {
        try
        {
            return await GetMetadataAsync(path, cancellationToken: cancellationToken);
        }
        catch (GatewayProblemException e) when (e.Status == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
