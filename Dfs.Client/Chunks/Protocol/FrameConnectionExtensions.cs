using Dfs.Common.Framing;

namespace Dfs.Client.Chunks.Protocol;

/// <summary>Helpers on <see cref="FrameConnection"/> for connections that may already be broken.</summary>
public static class FrameConnectionExtensions
{
    /// <summary>Disposes a connection whose transport may already be gone (a flush of leftover bytes then fails, and that is fine).</summary>
    public static async ValueTask DisposeQuietlyAsync(this FrameConnection connection)
    {
        try
        {
            await connection.DisposeAsync();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }
}
