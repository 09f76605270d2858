using System.Text;
using Dfs.Common.Configuration;
using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Hosting;
using Dfs.Raft.Master;
using Dfs.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dfs.Raft.Tests.Hosting;

public sealed class RaftServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddRaft_RunsEachMasterOfTheConfig_AsOneGroupOverItsRaftPorts_WithDataUnderItsFolder()
    {
        using var directory = TestDirectory.Create("raft-di");
        var ports = FreePorts.Get(6);
        var config = new ClusterConfig
        {
            BaseDirectory = directory.Path,
            Masters = Enumerable.Range(0, 3)
                .Select(i => new MasterNodeConfig { Id = $"m{i + 1}", RaftPort = ports[i], ApiPort = ports[i + 3] })
                .ToArray(),
        };
        var apps = new List<WebApplication>();
        try
        {
            foreach (var master in config.Masters)
            {
                var builder = WebApplication.CreateSlimBuilder();
                builder.Logging.ClearProviders();
                builder.Services.AddMasterRaft(config, master.Id, _ => new RecordingStateMachine());
                builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenMasterRaft(config, master.Id));
                var app = builder.Build();
                apps.Add(app);
                await app.StartAsync();
            }
            var hosts = apps.Select(a => a.Services.GetRequiredService<RaftHost>()).ToArray();
            RaftHost? leader = null;
            await Eventually.WaitUntilAsync(() => (leader = hosts.SingleOrDefault(h => h.Status.Role == RaftRole.Leader)) is not null &&
                hosts.All(h => h.Status.LeaderId == leader.Id), TimeSpan.FromSeconds(20),
                () => string.Join(" | ", hosts.Select(h => h.Status.ToString())));

            await leader!.ProposeAsync(Encoding.UTF8.GetBytes("hello"), CancellationToken.None);

            await Eventually.WaitUntilAsync(() => hosts.All(h => h.Status.AppliedIndex >= 2), TimeSpan.FromSeconds(20),
                () => string.Join(" | ", hosts.Select(h => h.Status.ToString())));
            Assert.All(config.Masters, m => Assert.NotEmpty(Directory.GetFiles(Path.Combine(config.DataDirectoryFor(m.Id), "raft", "log"))));
        }
        finally
        {
            foreach (var app in apps)
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
    }
}
