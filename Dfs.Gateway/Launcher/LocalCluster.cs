using Dfs.Common.Configuration;

namespace Dfs.Gateway.Launcher;

/// <summary>
/// Starts every master and chunk server named in the config as a child process, waits until each is ready,
/// and stops them all (masters last, so the metadata group outlives its clients) on shutdown.
/// </summary>
/// <remarks><see cref="DisposeAsync"/> may be called more than once (by the hosted service and by the container); only the first stops the nodes.</remarks>
public sealed class LocalCluster(ClusterConfig config, string configPath, TextWriter console) : IAsyncDisposable
{
    private readonly List<ChildNode> _masters = [];
    private readonly List<ChildNode> _chunkServers = [];
    private int _disposed;

    public ClusterConfig Config => config;

    public IReadOnlyList<ChildNode> Masters => _masters;

    public IReadOnlyList<ChildNode> ChunkServers => _chunkServers;

    /// <summary>Starts all nodes and waits until every one printed its ready line.</summary>
    public async Task StartAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var masterDll = BinaryBesideGateway("Dfs.Raft.dll");
        var chunkDll = BinaryBesideGateway("Dfs.ChunkServer.dll");
        foreach (var master in config.Masters)
        {
            _masters.Add(ChildNode.Start(masterDll, configPath, master.Id, console));
        }
        foreach (var chunkServer in config.ChunkServers)
        {
            _chunkServers.Add(ChildNode.Start(chunkDll, configPath, chunkServer.Id, console));
        }
        var all = Task.WhenAll(_masters.Concat(_chunkServers).Select(n => n.Ready));
        await all.WaitAsync(timeout, cancellationToken);
    }

    private static string BinaryBesideGateway(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, fileName);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{fileName} is not beside the gateway ({AppContext.BaseDirectory}); build the solution first.");
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await Task.WhenAll(_chunkServers.Select(n => n.DisposeAsync().AsTask()));
        await Task.WhenAll(_masters.Select(n => n.DisposeAsync().AsTask()));
    }
}
