using System.Net;
using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Client.Chunks.Protocol;
using Dfs.Hosting;
using Dfs.Hosting.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Dfs.ChunkServer.Server;

/// <summary>Composes a chunk server: the process, <see cref="ChunkServerHost"/> and the in-process test cluster all build one through these.</summary>
public static class ChunkServerServiceCollectionExtensions
{
    /// <summary>
    /// Registers a chunk server over a <see cref="FileChunkStore"/> (through
    /// <see cref="ChunkStorageServiceCollectionExtensions.AddChunkStorage"/>), with a hosted <see cref="ChunkScrubber"/>
    /// unless <paramref name="scrubber"/> is null, and the chunk protocol listener on Kestrel.
    /// </summary>
    /// <param name="time">The clock of the store, the scrubber and the pipelines. Default <see cref="TimeProvider.System"/>.</param>
    public static WebApplicationBuilder AddDfsChunkServer(this WebApplicationBuilder builder, ChunkServerOptions options,
        FileChunkStoreOptions store, ChunkScrubberOptions? scrubber, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddTime(builder.Services, time);
        builder.Services.AddChunkStorage(store, scrubber);
        return AddListener(builder, options);
    }

    /// <summary>Registers a chunk server over a store the caller owns (it is not disposed with the host), and its listener.</summary>
    /// <param name="time">The clock of the pipelines. Default <see cref="TimeProvider.System"/>.</param>
    public static WebApplicationBuilder AddDfsChunkServer(this WebApplicationBuilder builder, ChunkServerOptions options, IChunkStore store,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(store);
        AddTime(builder.Services, time);
        // Registered as an instance, so the container leaves its disposal to the caller.
        builder.Services.AddSingleton(store);
        return AddListener(builder, options);
    }

    private static void AddTime(IServiceCollection services, TimeProvider? time)
    {
        if (time is not null)
        {
            services.AddSingleton(time);
        }
        services.TryAddSingleton(TimeProvider.System);
    }

    private static WebApplicationBuilder AddListener(WebApplicationBuilder builder, ChunkServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(sp => new ChunkService(sp.GetRequiredService<IChunkStore>(), options, sp.GetRequiredService<ILogger<ChunkService>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ReplicaCopier>();
        services.AddNodeMetrics();
        services.AddSingleton<ChunkServerMetrics>();
        // Receive a whole data packet per system call rather than Kestrel's default 4 KiB.
        services.AddSingleton<IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>();
        var listener = new ChunkServerListener(options.Host);
        services.AddSingleton(listener);

        // Data arrives in bursts of whole packets: receiving at once (no zero-byte wait first) halves the
        // receive syscalls of a pipeline hop.
        builder.WebHost.UseSockets(sockets => sockets.WaitForDataBeforeAllocatingBuffer = false);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Room for several data packets in flight per connection before a flush waits for the socket.
            kestrel.Limits.MaxResponseBufferSize = 1024 * 1024;
            kestrel.Limits.MaxRequestBufferSize = 2 * 1024 * 1024;
            kestrel.Listen(Resolve(options.Host), options.Port, l =>
            {
                listener.Listen = l;
                l.UseConnectionHandler<ChunkConnectionHandler>();
            });
            if (options.MetricsPort is { } metricsPort)
            {
                kestrel.Listen(Resolve(options.Host), metricsPort, l =>
                {
                    listener.Metrics = l;
                    l.Protocols = HttpProtocols.Http1;
                });
            }
        });
        return builder;
    }

    private static IPAddress Resolve(string host)
    {
        if (IPAddress.TryParse(host, out var address))
        {
            return address;
        }
        var addresses = Dns.GetHostAddresses(host);
        return addresses.Length > 0 ? addresses[0] : throw new ArgumentException($"Host '{host}' does not resolve to an address.");
    }
}
