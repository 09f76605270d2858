using System.Net;
using Dfs.Client.Chunks.Protocol;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Dfs.ChunkServer.Server;

/// <summary>Where a chunk server listens; the bound endpoint (OS-chosen when port 0 was asked for) once the host has started.</summary>
public sealed class ChunkServerListener(string host)
{
    internal ListenOptions? Listen { get; set; }

    /// <summary>The bound endpoint, named by the configured host.</summary>
    /// <exception cref="InvalidOperationException">The host has not started.</exception>
    public ChunkEndpoint Endpoint => Listen?.EndPoint is IPEndPoint { Port: > 0 } bound
        ? new ChunkEndpoint(host, bound.Port)
        : throw new InvalidOperationException("The chunk server's listener is not bound yet; start the host first.");
}
