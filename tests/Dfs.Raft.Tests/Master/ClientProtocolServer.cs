using System.Net;
using Dfs.Common.Framing;
using Dfs.Raft.Master;
using Dfs.Raft.Master.Protocol;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace Dfs.Raft.Tests.Master;

/// <summary>The internal client protocol served over a given IMasterKv on a real loopback port chosen by the OS.</summary>
internal sealed class ClientProtocolServer(LoopbackApp app) : IAsyncDisposable
{
    public int Port => app.Address.Port;

    public static async Task<ClientProtocolServer> StartAsync(IMasterKv kv) =>
        new(await LoopbackApp.StartAsync(
            services => services.AddSingleton(new MasterRequestHandler(kv)),
            kestrel => kestrel.Listen(IPAddress.Loopback, 0, l => l.UseConnectionHandler<Handler>())));

    public ValueTask DisposeAsync() => app.DisposeAsync();

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
