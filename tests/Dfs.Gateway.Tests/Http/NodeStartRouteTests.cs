using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Dfs.Common.Configuration;
using Dfs.Gateway.Launcher;
using Dfs.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Dfs.Gateway.Tests.Http;

/// <summary>
/// <c>POST /api/cluster/nodes/{id}/start</c> on a gateway that launched its cluster: the launched nodes here are stand-in
/// processes (a shell that prints the ready line and sleeps), so the route is tested without building masters.
/// </summary>
public sealed class NodeStartRouteTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task StartNode_UnknownId_Is404NotFound_AndStartsNothing()
    {
        await using var gateway = await LaunchingGateway.StartAsync();
        var before = gateway.Pids();

        using var response = await gateway.Http.PostAsync(new Uri("/api/cluster/nodes/m9/start", UriKind.Relative), null);

        var problem = await response.AssertProblemAsync(HttpStatusCode.NotFound, "not-found");
        Assert.Contains("m9", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, gateway.Pids());
    }

    [Fact]
    public async Task StartNode_WhileItRuns_Is409Conflict_AndKeepsTheSameProcess()
    {
        await using var gateway = await LaunchingGateway.StartAsync();
        var before = gateway.Pids();

        using var response = await gateway.Http.PostAsync(new Uri("/api/cluster/nodes/m1/start", UriKind.Relative), null);

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "conflict");
        Assert.Equal(before, gateway.Pids());
        Assert.All(gateway.Cluster.Masters.Concat(gateway.Cluster.ChunkServers), n => Assert.False(n.HasExited, $"{n.Id} exited"));
    }

    [Fact]
    public async Task StartNode_BadId_Is400InvalidArgument()
    {
        await using var gateway = await LaunchingGateway.StartAsync();

        using var response = await gateway.Http.PostAsync(new Uri("/api/cluster/nodes/m%20x/start", UriKind.Relative), null);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-argument");
    }

    [Fact]
    public async Task StartNode_AfterItWasKilled_Is202WithTheNewPid_AndTheNodeRunsAgain()
    {
        await using var gateway = await LaunchingGateway.StartAsync();
        var killed = gateway.Cluster.ChunkServers.Single(n => n.Id == "c1");
        var oldPid = killed.Pid;
        using (var process = Process.GetProcessById(oldPid))
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        await Eventually.WaitUntilAsync(() => killed.HasExited, Timeout, () => $"c1 (pid {oldPid}) still runs", "the killed stand-in to be seen exited");

        using var response = await gateway.Http.PostAsync(new Uri("/api/cluster/nodes/c1/start", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("c1", body.GetProperty("id").GetString());
        var newPid = body.GetProperty("pid").GetInt32();
        Assert.NotEqual(oldPid, newPid);
        var restarted = gateway.Cluster.ChunkServers.Single(n => n.Id == "c1");
        Assert.Equal(newPid, restarted.Pid);
        await restarted.Ready.WaitAsync(Timeout);
        Assert.False(restarted.HasExited);
        // The cluster view (no leader here, so the launcher's list) carries the new pid.
        using var cluster = JsonDocument.Parse(await gateway.Http.GetStringAsync(new Uri("/api/cluster", UriKind.Relative)));
        var c1 = cluster.RootElement.GetProperty("chunkServers").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "c1");
        Assert.Equal(newPid, c1.GetProperty("pid").GetInt32());
        Assert.True(c1.GetProperty("alive").GetBoolean());

        // Running again, so a second start is refused.
        using var again = await gateway.Http.PostAsync(new Uri("/api/cluster/nodes/c1/start", UriKind.Relative), null);
        await again.AssertProblemAsync(HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task StartNode_IsInTheOpenApiDocument_OnlyWhenTheGatewayLaunchedTheCluster()
    {
        await using (var launching = await LaunchingGateway.StartAsync())
        {
            using var document = JsonDocument.Parse(await launching.Http.GetStringAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative)));
            var post = document.RootElement.GetProperty("paths").GetProperty("/api/cluster/nodes/{id}/start").GetProperty("post");
            var statuses = post.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToArray();
            Assert.Contains("202", statuses);
            Assert.Contains("404", statuses);
            Assert.Contains("409", statuses);
        }

        await using var plain = await GatewayApp.StartAsync(LaunchingGateway.Config());
        using var response = await plain.Http.PostAsync(new Uri("/api/cluster/nodes/m1/start", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var plainDocument = JsonDocument.Parse(await plain.Http.GetStringAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative)));
        Assert.False(plainDocument.RootElement.GetProperty("paths").TryGetProperty("/api/cluster/nodes/{id}/start", out _));
    }

    /// <summary>A gateway composed as the program composes it in local mode, whose "nodes" are shells that say ready and sleep.</summary>
    private sealed class LaunchingGateway : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly TestDirectory _directory;

        private LaunchingGateway(WebApplication app, TestDirectory directory)
        {
            _app = app;
            _directory = directory;
            Http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
            Cluster = app.Services.GetRequiredService<LocalCluster>();
        }

        public HttpClient Http { get; }

        public LocalCluster Cluster { get; }

        /// <summary>Two masters and two chunk servers on ports nothing listens on (no master ever answers).</summary>
        public static ClusterConfig Config()
        {
            var ports = FreePorts.Get(6);
            return new ClusterConfig
            {
                Masters = [new MasterNodeConfig { Id = "m1", RaftPort = ports[0], ApiPort = ports[1] }, new MasterNodeConfig { Id = "m2", RaftPort = ports[2], ApiPort = ports[3] }],
                ChunkServers = [new ChunkServerNodeConfig { Id = "c1", Port = ports[4] }, new ChunkServerNodeConfig { Id = "c2", Port = ports[5] }],
                Gateway = new GatewayConfig { Host = "127.0.0.1", Port = 0 },
            };
        }

        public static async Task<LaunchingGateway> StartAsync()
        {
            var directory = TestDirectory.Create(nameof(NodeStartRouteTests));
            var configPath = directory.Combine("config.json");
            var builder = WebApplication.CreateSlimBuilder();
            builder.AddDfsGateway(Config(), new DfsGatewayOptions
            {
                Launch = true,
                ConfigPath = configPath,
                NodeOutput = TextWriter.Null,
                LaunchTimeout = Timeout,
                StartNode = (id, master) =>
                {
                    var info = new ProcessStartInfo("/bin/sh");
                    info.ArgumentList.Add("-c");
                    info.ArgumentList.Add($"echo '{(master ? "master" : "chunk server")} {id} ready'; exec sleep 300");
                    return ChildNode.Start(info, id, TextWriter.Null);
                },
            });
            var app = builder.Build();
            app.MapDfsGateway();
            try
            {
                await app.StartAsync();
                return new LaunchingGateway(app, directory);
            }
            catch
            {
                await app.DisposeAsync();
                directory.Dispose();
                throw;
            }
        }

        public int[] Pids() => [.. Cluster.Masters.Concat(Cluster.ChunkServers).Select(n => n.Pid)];

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            // Stopping the host stops the launched stand-ins (SIGTERM ends sleep).
            await _app.StopAsync();
            await _app.DisposeAsync();
            _directory.Dispose();
        }
    }
}
