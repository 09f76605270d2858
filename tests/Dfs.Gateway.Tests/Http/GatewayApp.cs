using System.Collections.Concurrent;
using Dfs.Client.Metadata;
using Dfs.Common.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Dfs.Gateway.Tests.Http;

/// <summary>A gateway composed as the program composes it (without the launcher), on a port the OS chooses.</summary>
internal sealed class GatewayApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Method, string Target, int Status)> _finished = new();

    private GatewayApp(WebApplication app, HttpClient http)
    {
        _app = app;
        Http = http;
    }

    public HttpClient Http { get; }

    /// <summary>The gateway's services, as the program composed them.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The gateway's address, such as <c>http://127.0.0.1:41234</c>.</summary>
    public Uri Address => Http.BaseAddress!;

    /// <summary>Requests the gateway finished handling (answered, failed or abandoned), in order.</summary>
    public IReadOnlyCollection<(string Method, string Target, int Status)> Finished => _finished;

    public static async Task<GatewayApp> StartAsync(ClusterConfig config, Func<IServiceProvider, IMetadataService>? metadata = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.AddDfsGateway(config with { Gateway = new GatewayConfig { Host = "127.0.0.1", Port = 0 } },
            new DfsGatewayOptions { Launch = false, Metadata = metadata });
        var app = builder.Build();
        GatewayApp? gateway = null;
        // Outermost: records each request once the gateway is done with it, so a test can wait for an abandoned upload to end.
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            finally
            {
                gateway?._finished.Enqueue((context.Request.Method, context.Request.Path.ToString(), context.Response.StatusCode));
            }
        });
        app.MapDfsGateway();
        try
        {
            await app.StartAsync();
            gateway = new GatewayApp(app, new HttpClient { BaseAddress = new Uri(app.Urls.Single()) });
            return gateway;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
