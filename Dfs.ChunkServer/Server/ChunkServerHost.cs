using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Client.Chunks.Protocol;
using Dfs.Hosting.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dfs.ChunkServer.Server;

/// <summary>
/// A running chunk server: Kestrel bound to one TCP endpoint, serving the chunk protocol with
/// <see cref="ChunkConnectionHandler"/> over an <see cref="IChunkStore"/>, composed by
/// <see cref="ChunkServerServiceCollectionExtensions.AddDfsChunkServer(WebApplicationBuilder, ChunkServerOptions, FileChunkStoreOptions, ChunkScrubberOptions?, TimeProvider?)"/>.
/// Used by the process, the tests and the benchmarks.
/// </summary>
public sealed class ChunkServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _stopped;

    private ChunkServerHost(WebApplication app)
    {
        _app = app;
        Endpoint = app.Services.GetRequiredService<ChunkServerListener>().Endpoint;
        Store = app.Services.GetRequiredService<IChunkStore>();
    }

    /// <summary>Where the server listens (the actual port when 0 was asked for).</summary>
    public ChunkEndpoint Endpoint { get; }

    public IChunkStore Store { get; }

    /// <summary>The server's services (its store, its scrubber when it has one).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a server over a store the caller owns and disposes; returns once it accepts connections.</summary>
    /// <param name="configureLogging">Logging setup; by default nothing is logged (tests, benchmarks).</param>
    /// <param name="configureServices">Further services to run with the server.</param>
    /// <param name="time">The pipelines' clock. Default <see cref="TimeProvider.System"/>.</param>
    public static Task<ChunkServerHost> StartAsync(IChunkStore store, ChunkServerOptions? options = null,
        Action<ILoggingBuilder>? configureLogging = null, Action<IServiceCollection>? configureServices = null,
        TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        options ??= new ChunkServerOptions();
        return StartAsync(builder => builder.AddDfsChunkServer(options, store, time), configureLogging, configureServices, cancellationToken);
    }

    /// <summary>
    /// Starts a server over a <see cref="FileChunkStore"/> it owns (disposed with the host), scrubbed unless
    /// <paramref name="scrubber"/> is null; returns once it accepts connections.
    /// </summary>
    /// <param name="time">The clock of the store, the scrubber and the pipelines. Default <see cref="TimeProvider.System"/>.</param>
    public static Task<ChunkServerHost> StartAsync(FileChunkStoreOptions store, ChunkScrubberOptions? scrubber, ChunkServerOptions options,
        Action<ILoggingBuilder>? configureLogging = null, Action<IServiceCollection>? configureServices = null,
        TimeProvider? time = null, CancellationToken cancellationToken = default) =>
        StartAsync(builder => builder.AddDfsChunkServer(options, store, scrubber, time), configureLogging, configureServices, cancellationToken);

    private static async Task<ChunkServerHost> StartAsync(Action<WebApplicationBuilder> compose, Action<ILoggingBuilder>? configureLogging,
        Action<IServiceCollection>? configureServices, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        configureLogging?.Invoke(builder.Logging);
        compose(builder);
        configureServices?.Invoke(builder.Services);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        var app = builder.Build();
        // Created before start so its scrape callback is in place; served only on the metrics listener, if any.
        app.Services.GetRequiredService<ChunkServerMetrics>();
        app.MapNodeMetrics();
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return new ChunkServerHost(app);
    }

    /// <summary>Completes when the host is told to stop (SIGTERM, Ctrl-C).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public ILogger CreateLogger(string category) => _app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(category);

    /// <summary>Stops the server: gracefully, or at once (as a crash looks to its peers) when <paramref name="cancellationToken"/> is already cancelled.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) =>
        Interlocked.Exchange(ref _stopped, 1) == 0 ? _app.StopAsync(cancellationToken) : Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}
