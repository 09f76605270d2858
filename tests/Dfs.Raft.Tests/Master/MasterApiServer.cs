using Dfs.Common.Configuration;
using Dfs.Raft.Master;
using Dfs.Raft.Master.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dfs.Raft.Tests.Master;

/// <summary>The master HTTP API on a real loopback socket (OS-chosen port) over a given IMasterKv.</summary>
internal sealed class MasterApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MasterApiServer(WebApplication app, HttpClient client)
    {
        _app = app;
        Client = client;
    }

    public HttpClient Client { get; }

    public static async Task<MasterApiServer> StartAsync(IMasterKv kv, ClusterConfig config)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(kv);
        builder.Services.AddMasterHttpApi(config);
        var app = builder.Build();
        app.MapMasterHttpApi();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(address) };
        return new MasterApiServer(app, client);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
