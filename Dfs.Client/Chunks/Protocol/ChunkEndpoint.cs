using System.Globalization;

namespace Dfs.Client.Chunks.Protocol;

/// <summary>Where a chunk server listens.</summary>
public readonly record struct ChunkEndpoint(string Host, int Port)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");
}
