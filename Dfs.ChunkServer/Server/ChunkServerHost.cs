using System.Net;
using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Client.Chunks.Protocol;
using Dfs.Common.Framing;
using Dfs.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dfs.ChunkServer.Server;

/// <summary>
/// A running chunk server: Kestrel bound to one TCP endpoint, serving the chunk protocol with
/// <see cref="ChunkConnectionHandler"/> over an <see cref="IChunkStore"/>. Used by the process, the tests and the benchmarks.
/// </summary>
public sealed class ChunkServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ChunkServerHost(WebApplication app, ChunkEndpoint endpoint, IChunkStore store)
    {
        _app = app;
        Endpoint = endpoint;
        Store = store;
    }

    /// <summary>Where the server listens (the actual port when 0 was asked for).</summary>
    public ChunkEndpoint Endpoint { get; }

    public IChunkStore Store { get; }

    /// <summary>Starts a server; returns once it accepts connections.</summary>
    /// <param name="configureLogging">Logging setup; by default nothing is logged (tests, benchmarks).</param>
    /// <param name="configureServices">Further services to run with the server (a scrubber over the store).</param>
    public static async Task<ChunkServerHost> StartAsync(IChunkStore store, ChunkServerOptions? options = null,
        Action<ILoggingBuilder>? configureLogging = null, Action<IServiceCollection>? configureServices = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new ChunkServerOptions();
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        configureLogging?.Invoke(builder.Logging);
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(sp => new ChunkService(store, options, sp.GetRequiredService<ILogger<ChunkService>>()));
        builder.Services.AddSingleton<ReplicaCopier>();
        configureServices?.Invoke(builder.Services);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        // Receive a whole data packet per system call rather than Kestrel's default 4 KiB.
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>();

        ListenOptions? listen = null;
        var address = await ResolveAsync(options.Host, cancellationToken);
        // Data arrives in bursts of whole packets: receiving at once (no zero-byte wait first) halves the
        // receive syscalls of a pipeline hop.
        builder.WebHost.UseSockets(sockets => sockets.WaitForDataBeforeAllocatingBuffer = false);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Room for several data packets in flight per connection before a flush waits for the socket.
            kestrel.Limits.MaxResponseBufferSize = 1024 * 1024;
            kestrel.Limits.MaxRequestBufferSize = 2 * 1024 * 1024;
            kestrel.Listen(address, options.Port, l =>
            {
                listen = l;
                l.UseConnectionHandler<ChunkConnectionHandler>();
            });
        });
        var app = builder.Build();
        await app.StartAsync(cancellationToken);
        var bound = listen?.EndPoint as IPEndPoint ?? throw new InvalidOperationException("Kestrel did not report the bound endpoint.");
        return new ChunkServerHost(app, new ChunkEndpoint(options.Host, bound.Port), store);
    }

    /// <summary>Completes when the host is told to stop (SIGTERM, Ctrl-C).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public ILogger CreateLogger(string category) => _app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(category);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task<IPAddress> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var address))
        {
            return address;
        }
        var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
        return addresses.Length > 0 ? addresses[0] : throw new ArgumentException($"Host '{host}' does not resolve to an address.");
    }
}
