using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dfs.Raft.Consensus.Transport;

/// <summary>
/// A Kestrel server that only accepts Raft connections, for a node that does not host Raft inside a larger
/// web application (tests, benchmarks). The master process maps <see cref="RaftConnectionHandler"/> on its own Kestrel instead.
/// </summary>
public sealed class RaftTcpListener : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RaftTcpListener(WebApplication app, IPEndPoint endPoint)
    {
        _app = app;
        EndPoint = endPoint;
    }

    /// <summary>The address actually bound (the OS-chosen port when asked for port 0).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Starts listening on <paramref name="endPoint"/> and hands inbound messages to <paramref name="sink"/>.</summary>
    public static async Task<RaftTcpListener> StartAsync(IPEndPoint endPoint, IRaftInboundSink sink, CancellationToken cancellationToken,
        Action<ILoggingBuilder>? configureLogging = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        configureLogging?.Invoke(builder.Logging);
        builder.Services.AddSingleton(sink);
        ListenOptions? bound = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(endPoint, listen =>
            {
                listen.Protocols = HttpProtocols.None;
                listen.UseConnectionHandler<RaftConnectionHandler>();
                bound = listen;
            });
        });
        var app = builder.Build();
        await app.StartAsync(cancellationToken);
        return new RaftTcpListener(app, (IPEndPoint)bound!.EndPoint);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
