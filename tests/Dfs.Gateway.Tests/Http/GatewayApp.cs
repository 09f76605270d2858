using Dfs.Common.Configuration;
using Microsoft.AspNetCore.Builder;

namespace Dfs.Gateway.Tests.Http;

/// <summary>A gateway composed as the program composes it (without the launcher), on a port the OS chooses.</summary>
internal sealed class GatewayApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GatewayApp(WebApplication app, HttpClient http)
    {
        _app = app;
        Http = http;
    }

    public HttpClient Http { get; }

    public static async Task<GatewayApp> StartAsync(ClusterConfig config)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.AddDfsGateway(config with { Gateway = new GatewayConfig { Host = "127.0.0.1", Port = 0 } }, new DfsGatewayOptions { Launch = false });
        var app = builder.Build();
        app.MapDfsGateway();
        try
        {
            await app.StartAsync();
            return new GatewayApp(app, new HttpClient { BaseAddress = new Uri(app.Urls.Single()) });
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
