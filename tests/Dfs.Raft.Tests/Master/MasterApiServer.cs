using Dfs.Common.Configuration;
using Dfs.Raft.Master;
using Dfs.Raft.Master.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Dfs.Raft.Tests.Master;

/// <summary>The master HTTP API on a real loopback socket (OS-chosen port) over a given IMasterKv.</summary>
internal sealed class MasterApiServer(LoopbackApp app, HttpClient client) : IAsyncDisposable
{
    public HttpClient Client { get; } = client;

    public static async Task<MasterApiServer> StartAsync(IMasterKv kv, ClusterConfig config)
    {
        var app = await LoopbackApp.StartAsync(
            services => services.AddSingleton(kv).AddMasterHttpApi(config),
            routes: web => web.MapMasterHttpApi());
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = app.Address };
        return new MasterApiServer(app, client);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.DisposeAsync();
    }
}
