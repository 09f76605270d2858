using System.Buffers;
using Dfs.Cli.Gateway;

namespace Dfs.Cli.Transfers;

/// <summary>Copies a download to a local stream through one pooled buffer, telling network failures from local ones.</summary>
internal static class DownloadCopy
{
    private const int BufferBytes = 128 * 1024;

    /// <summary>Copies <paramref name="download"/> to <paramref name="destination"/>; fails when fewer bytes arrive than the Content-Length promised.</summary>
    /// <returns>The bytes copied.</returns>
    public static async Task<long> CopyAsync(FileDownload download, Stream destination, string destinationName, ITransferItem progress, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        var copied = 0L;
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await download.Content.ReadAsync(buffer, cancellationToken);
                }
                catch (Exception e) when (e is IOException or HttpRequestException)
                {
                    throw new GatewayUnreachableException($"The download of {download.Headers.Path} broke off after {copied} bytes: {e.Message}", e);
                }
                if (read == 0)
                {
                    break;
                }
                try
                {
                    await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new LocalFileException($"Cannot write {destinationName}: {e.Message}", e);
                }
                copied += read;
                progress.Advance(read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (download.Headers.Length is { } expected && copied != expected)
        {
            throw new GatewayUnreachableException($"The download of {download.Headers.Path} ended after {copied} of {expected} bytes.");
        }
        return copied;
    }
}
