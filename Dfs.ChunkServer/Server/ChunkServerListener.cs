using System.Net;
using Dfs.Client.Chunks.Protocol;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Dfs.ChunkServer.Server;

/// <summary>Where a chunk server listens; the bound endpoint (OS-chosen when port 0 was asked for) once the host has started.</summary>
public sealed class ChunkServerListener(string host)
{
    internal ListenOptions? Listen { get; set; }

    internal ListenOptions? Metrics { get; set; }

    /// <summary>Where <c>/metrics</c> is served (the actual port when 0 was asked for), or null without a metrics listener.</summary>
    public Uri? MetricsAddress => Metrics?.EndPoint is IPEndPoint { Port: > 0 } bound ? new Uri($"http://{host}:{bound.Port}/metrics") : null;

    /// <summary>The bound endpoint, named by the configured host.</summary>
    /// <exception cref="InvalidOperationException">The host has not started.</exception>
    public ChunkEndpoint Endpoint => Listen?.EndPoint is IPEndPoint { Port: > 0 } bound
        ? new ChunkEndpoint(host, bound.Port)
        : throw new InvalidOperationException("The chunk server's listener is not bound yet; start the host first.");
}
