using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Dfs.Raft.Master;

/// <summary>Where a master listens: its Raft port (peers and clients) and its HTTP API port.</summary>
/// <remarks>The endpoints are the bound ones, OS-chosen when the config asks for port 0, once the host has started.</remarks>
public sealed class MasterListeners
{
    internal ListenOptions? Raft { get; set; }

    internal ListenOptions? Api { get; set; }

    /// <summary>The bound Raft endpoint.</summary>
    /// <exception cref="InvalidOperationException">The host has not started.</exception>
    public IPEndPoint RaftEndPoint => Bound(Raft, "raft");

    /// <summary>The bound HTTP API endpoint.</summary>
    /// <exception cref="InvalidOperationException">The host has not started.</exception>
    public IPEndPoint ApiEndPoint => Bound(Api, "api");

    private static IPEndPoint Bound(ListenOptions? listen, string name) =>
        listen?.EndPoint as IPEndPoint is { Port: > 0 } endPoint
            ? endPoint
            : throw new InvalidOperationException($"The master's {name} listener is not bound yet; start the host first.");
}
