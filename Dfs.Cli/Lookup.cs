using Dfs.Cli.Gateway;
using Dfs.Cli.Gateway.Contracts;

namespace Dfs.Cli;

/// <summary>What is at a path, when a command only needs to know whether it is a file or a directory.</summary>
/// <remarks>The root is always a directory: it is answered without a request, so nothing depends on <c>GET /api/meta/</c> with an empty path.</remarks>
internal static class Lookup
{
    private static readonly FileMetadata Root = new(RemotePath.Root, EntryKinds.Directory, 0, 0, default, null, null, [], [], null);

    /// <summary>The metadata at <paramref name="path"/>; 404 throws.</summary>
    public static Task<FileMetadata> GetAsync(GatewayClient gateway, string path, CancellationToken cancellationToken) =>
        path == RemotePath.Root ? Task.FromResult(Root) : gateway.GetMetadataAsync(path, cancellationToken: cancellationToken);

    /// <summary>The metadata at <paramref name="path"/>, or null when nothing is there.</summary>
    public static Task<FileMetadata?> FindAsync(GatewayClient gateway, string path, CancellationToken cancellationToken) =>
        path == RemotePath.Root ? Task.FromResult<FileMetadata?>(Root) : gateway.TryGetMetadataAsync(path, cancellationToken);
}
