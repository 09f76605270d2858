using System.Text.Json;
using Dfs.Common.Configuration;
using Dfs.Gateway;
using Dfs.Testing;
using Dfs.Testing.Cluster;
using Microsoft.AspNetCore.Builder;

namespace Dfs.Browser.Tests;

/// <summary>
/// An in-process cluster (three masters, three chunk servers heartbeating to them) and a gateway composed as the program
/// composes it (without the launcher) on a port the OS chooses; it is ready once the masters have a leader and hear
/// every chunk server.
/// </summary>
internal sealed class ClusterWithGateway : IAsyncDisposable
{
    private readonly DfsTestCluster _cluster;
    private readonly WebApplication _app;

    private ClusterWithGateway(DfsTestCluster cluster, WebApplication app, HttpClient http)
    {
        _cluster = cluster;
        _app = app;
        Http = http;
    }

    /// <summary>A client of the gateway, its base address set.</summary>
    public HttpClient Http { get; }

    /// <summary>The gateway's address, such as <c>http://127.0.0.1:41234</c>.</summary>
    public Uri Address => Http.BaseAddress!;

    public static async Task<ClusterWithGateway> StartAsync(TimeSpan timeout)
    {
        var cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { Timeout = timeout });
        WebApplication? app = null;
        try
        {
            await cluster.WaitForLeaderAsync();
            var builder = WebApplication.CreateSlimBuilder();
            builder.AddDfsGateway(cluster.Config with { Gateway = new GatewayConfig { Host = "127.0.0.1", Port = 0 } },
                new DfsGatewayOptions { Launch = false });
            app = builder.Build();
            app.MapDfsGateway();
            await app.StartAsync();
            var gateway = new ClusterWithGateway(cluster, app, new HttpClient { BaseAddress = new Uri(app.Urls.Single()), Timeout = timeout });
            await gateway.WaitUntilEveryChunkServerIsAliveAsync(cluster.ChunkServers.Count, timeout);
            return gateway;
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }
            await cluster.DisposeAsync();
            throw;
        }
    }

    // An upload needs a full replica set: wait until the masters, through the gateway, report every chunk server alive.
    private async Task WaitUntilEveryChunkServerIsAliveAsync(int count, TimeSpan timeout)
    {
        var seen = "";
        await Eventually.WaitUntilAsync(async () =>
        {
            using var response = await Http.GetAsync(new Uri("/api/cluster", UriKind.Relative));
            seen = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                return false;
            }
            using var body = JsonDocument.Parse(seen);
            return body.RootElement.GetProperty("chunkServers").EnumerateArray().Count(c => c.GetProperty("alive").GetBoolean()) == count;
        }, timeout, () => $"/api/cluster: {seen}; cluster {_cluster.Describe()}", $"{count} chunk servers alive in /api/cluster");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        try
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        finally
        {
            await _cluster.DisposeAsync();
        }
    }
}
