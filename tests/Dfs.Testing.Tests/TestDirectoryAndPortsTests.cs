using System.Net;
using System.Net.Sockets;

namespace Dfs.Testing.Tests;

public sealed class TestDirectoryAndPortsTests
{
    [Fact]
    public void TestDirectory_IsUniqueAndDeletedWithContentsOnDispose()
    {
        string path;
        using (var first = TestDirectory.Create("unit"))
        using (var second = TestDirectory.Create("unit"))
        {
            path = first.Path;
            Assert.NotEqual(first.Path, second.Path);
            Assert.True(Directory.Exists(first.Path));
            Assert.Empty(Directory.EnumerateFileSystemEntries(first.Path));
            var nested = first.CreateSubdirectory("a", "b");
            File.WriteAllText(Path.Combine(nested, "f.txt"), "x");
        }

        Assert.False(Directory.Exists(path));
    }

    [Fact]
    public void FreePorts_AreDistinctAndBindable()
    {
        var ports = FreePorts.Get(5);

        Assert.Equal(5, ports.Distinct().Count());
        foreach (var port in ports)
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
            listener.Listen();
            Assert.Equal(port, ((IPEndPoint)listener.LocalEndPoint!).Port);
        }
    }
}
