using System.Net;
using Dfs.Common.Framing;
using Dfs.Raft.Master;
using Dfs.Raft.Master.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dfs.Raft.Tests.Master;

/// <summary>The internal client protocol served over a given IMasterKv on a real loopback port chosen by the OS.</summary>
internal sealed class ClientProtocolServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ClientProtocolServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public static async Task<ClientProtocolServer> StartAsync(IMasterKv kv)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(new MasterRequestHandler(kv));
        builder.WebHost.ConfigureKestrel(o => o.Listen(IPAddress.Loopback, 0, l => l.UseConnectionHandler<Handler>()));
        var app = builder.Build();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ClientProtocolServer(app, new Uri(address).Port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class Handler(MasterRequestHandler handler) : ConnectionHandler
    {
        public override async Task OnConnectedAsync(ConnectionContext connection)
        {
            await using var frames = new FrameConnection(connection.Transport);
            try
            {
                await ClientConnectionServer.ServeAsync(frames, handler, connection.ConnectionClosed);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
            }
        }
    }
}
