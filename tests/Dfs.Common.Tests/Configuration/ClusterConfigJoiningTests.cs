using Dfs.Common.Configuration;

namespace Dfs.Common.Tests.Configuration;

public sealed class ClusterConfigJoiningTests
{
    [Fact]
    public void InitialMasters_LeaveOutAJoiningMaster()
    {
        var config = new ClusterConfig
        {
            Masters =
            [
                new MasterNodeConfig { Id = "m1", RaftPort = 7001, ApiPort = 7101 },
                new MasterNodeConfig { Id = "m4", RaftPort = 7004, ApiPort = 7104, Joining = true },
            ],
        };

        config.Validate();

        Assert.Equal(["m1"], config.InitialMasters.Select(m => m.Id));
    }

    [Fact]
    public void Validate_RefusesAGroupOfJoiningMastersOnly()
    {
        var config = new ClusterConfig { Masters = [new MasterNodeConfig { Id = "m4", RaftPort = 7004, ApiPort = 7104, Joining = true }] };

        var refused = Assert.Throws<ConfigurationException>(config.Validate);

        Assert.Contains("joining", refused.Message);
    }

    [Fact]
    public void Load_ReadsTheJoiningFlag_AndSaveWritesItOnlyWhenSet()
    {
        using var directory = new TempFolder();
        var path = Path.Combine(directory.Path, "config.json");
        File.WriteAllText(path, """
            { "masters": [
                { "id": "m1", "raftPort": 7001, "apiPort": 7101 },
                { "id": "m4", "raftPort": 7004, "apiPort": 7104, "joining": true } ] }
            """);

        var config = ClusterConfig.Load(path);
        config.Save(path);

        Assert.Equal([false, true], config.Masters.Select(m => m.Joining));
        Assert.Equal(1, File.ReadAllText(path).Split("joining").Length - 1);
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("dfs-config-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
