using Dfs.Common.Configuration;
using Dfs.Testing;
using Dfs.Testing.Processes;

namespace Dfs.Raft.Tests.Processes;

public sealed class NodeLifetimeTests
{
    [Fact]
    public async Task Master_StartedWithAParentPid_StopsCleanlyWhenItsParentDies()
    {
        using var directory = TestDirectory.Create("parent-watch");
        var ports = FreePorts.Get(2);
        var config = new ClusterConfig
        {
            Masters = [new MasterNodeConfig { Id = "m1", Host = "127.0.0.1", RaftPort = ports[0], ApiPort = ports[1] }],
            Gateway = new GatewayConfig { Port = 0 },
        };
        var configPath = directory.Combine("config.json");
        config.Save(configPath);
        await using var parent = NodeProcess.Start("sleep", ["600"], name: "parent");
        await using var master = NodeProcess.StartDotnetApp(BuiltApp.PathOf("Dfs.Raft"),
            ["--config", configPath, "--id", "m1", "--parent-pid", parent.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], name: "m1");
        await master.WaitForLineAsync(l => l.Contains("master m1 ready", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        parent.Kill();

        var exitCode = await master.WaitForExitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(0, exitCode);
    }
}
