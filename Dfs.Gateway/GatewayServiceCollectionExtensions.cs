using Dfs.Client.Chunks;
using Dfs.Client.Files;
using Dfs.Client.Master;
using Dfs.Client.Metadata;
using Dfs.Common.Configuration;
using Dfs.Gateway.Cluster;
using Dfs.Gateway.Http;
using Dfs.Gateway.Launcher;
using Dfs.Hosting.Metrics;

namespace Dfs.Gateway;

/// <summary>Composes a gateway: the process and the tests both build a gateway through these.</summary>
public static class GatewayServiceCollectionExtensions
{
    /// <summary>Bytes of response a connection may have waiting for the socket before writes wait: two 1 MiB download pieces.</summary>
    internal const int ResponseBufferBytes = 2 * 1024 * 1024;

    /// <summary>
    /// Registers the gateway of <paramref name="config"/>: Kestrel on the config's gateway address, one
    /// <see cref="MasterClient"/> (disposed with the host), <see cref="ClusterStatusService"/>, problem details,
    /// the source-generated JSON of the routes, the OpenAPI document and, unless <see cref="DfsGatewayOptions.Launch"/>
    /// is false, the launcher that runs the cluster's nodes as child processes. Map the routes with <see cref="MapDfsGateway"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Launching is on but no config path is given.</exception>
    public static WebApplicationBuilder AddDfsGateway(this WebApplicationBuilder builder, ClusterConfig config, DfsGatewayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(config);
        options ??= new DfsGatewayOptions();
        var services = builder.Services;
        builder.WebHost.UseUrls($"http://{config.Gateway.Host}:{config.Gateway.Port}");
        // A download writes a verified piece of a chunk (1 MiB) at a time: with Kestrel's default 64 KiB output buffer
        // each flush waits until the socket has sent nearly all of it, so reading and checking the next piece never
        // overlaps the send. Room for two pieces per connection lets them overlap and still bounds a response's memory.
        builder.WebHost.UseSockets(sockets => sockets.MaxWriteBufferSize = ResponseBufferBytes);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxResponseBufferSize = ResponseBufferBytes);
        services.AddSingleton(config);
        services.AddSingleton(_ => MasterClient.FromConfig(config));
        if (options.Launch)
        {
            var configPath = options.ConfigPath is { } path
                ? Path.GetFullPath(path)
                : throw new ArgumentException("A gateway that launches the cluster needs the config path its nodes read.", nameof(options));
            services.AddSingleton(_ => new LocalCluster(config, configPath, options.NodeOutput ?? Console.Out, options.StartNode));
            services.AddHostedService(sp => new LocalClusterService(
                sp.GetRequiredService<LocalCluster>(), options.LaunchTimeout, sp.GetRequiredService<ILogger<LocalClusterService>>()));
        }
        services.AddSingleton(sp => new ClusterStatusService(config, sp.GetRequiredService<MasterClient>(), sp.GetService<LocalCluster>(),
            sp.GetRequiredService<ILogger<ClusterStatusService>>(), () => sp.GetRequiredService<IMetadataService>()));
        services.AddSingleton(sp => options.Metadata?.Invoke(sp) ?? new MetadataClient(sp.GetRequiredService<MasterClient>()));
        var transfer = new FileTransferOptions
        {
            ChunkSizeBytes = config.ChunkSizeBytes,
            InlineFileBytes = config.InlineFileBytes,
            // An allocation drawn ahead is used while the leader still counts its pipeline as the chunk's replicas.
            AllocationMaxAge = TimeSpan.FromMilliseconds(Math.Min(1000, config.ChunkServerDeadMs / 5)),
        };
        services.AddSingleton(sp => new ChunkWriteClient(new ChunkWriteOptions { Logger = sp.GetRequiredService<ILogger<ChunkWriteClient>>() }));
        services.AddSingleton(_ => new ChunkReadClient());
        services.AddSingleton(sp => new FileUploader(sp.GetRequiredService<IMetadataService>(), sp.GetRequiredService<ChunkWriteClient>(), transfer));
        services.AddSingleton(sp => new FileDownloader(sp.GetRequiredService<IMetadataService>(), sp.GetRequiredService<ChunkReadClient>(), transfer));
        // Anything that still speaks HTTP to other services takes its client from the factory.
        services.AddHttpClient();
        services.AddHttpClient(MasterMembershipProxy.HttpClientName, client => client.Timeout = MasterMembershipProxy.Timeout);
        services.AddSingleton<MasterMembershipProxy>();
        // A gateway configured without masters (one whose metadata is supplied in-process) has no group's book to follow.
        if (config.Masters.Count > 0)
        {
            services.AddHostedService(sp => new MasterListFollower(sp.GetRequiredService<MasterClient>(), sp.GetRequiredService<ILogger<MasterListFollower>>()));
        }
        services.AddSingleton<ClusterReadiness>();
        services.AddNodeMetrics();
        services.AddSingleton<GatewayMetrics>();
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = GatewayProblemDetails.Customize);
        services.AddExceptionHandler<GatewayExceptionHandler>();
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, GatewayJsonContext.Default));
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(swagger => swagger.OperationFilter<BinaryRequestBodyFilter>());
        return builder;
    }

    /// <summary>Maps the gateway's routes (<c>/health</c>, <c>/api/cluster</c>, files, directories, rename, metadata, locks, <c>/metrics</c>), the OpenAPI document, Swagger UI at <c>/swagger</c> and the web console at <c>/</c>.</summary>
    public static WebApplication MapDfsGateway(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseWebConsole();
        app.UseRouting();
        app.UseNodeHttpMetrics();
        // Unknown routes (404), wrong methods (405) and refused bodies answer problem details too.
        app.UseStatusCodePages();
        app.UseSwagger();
        app.UseSwaggerUI();
        app.MapHealthApi();
        app.MapClusterApi();
        // Created now so its counters are scraped (as 0) before the first transfer.
        app.Services.GetRequiredService<GatewayMetrics>();
        app.MapNodeMetrics();
        app.MapFileApi();
        app.MapDirectoryApi();
        app.MapRenameApi();
        app.MapMetaApi();
        app.MapLockApi();
        return app;
    }
}
