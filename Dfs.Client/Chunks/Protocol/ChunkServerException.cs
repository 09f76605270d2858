
namespace Dfs.Client.Chunks.Protocol;

/// <summary>A chunk server answered a request with an error, or could not be reached.</summary>
/// <param name="code">What went wrong.</param>
/// <param name="message">A message a person can act on.</param>
/// <param name="hops">
/// In a write pipeline, how many nodes downstream of the one that answered the failure happened (0: that
/// node itself), so the writer knows which replica to leave out.
/// </param>
public sealed class ChunkServerException(ChunkErrorCode code, string message, int hops = 0) : IOException(message)
{
    public ChunkErrorCode Code { get; } = code;

    public int Hops { get; } = hops;

    /// <summary>The store error, when the failure is one (DiskFull, StaleVersion, Corrupt…).</summary>
    public ChunkError? ChunkError => Code.ToChunkError();
}
