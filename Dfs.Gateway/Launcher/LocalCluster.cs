using Dfs.Common.Configuration;

namespace Dfs.Gateway.Launcher;

/// <summary>
/// Starts every master and chunk server named in the config as a child process, waits until each is ready,
/// starts again one that died when an operator asks, and stops them all (masters last, so the metadata group
/// outlives its clients) on shutdown.
/// </summary>
/// <remarks>
/// <see cref="DisposeAsync"/> may be called more than once (by the hosted service and by the container); only the first stops the nodes.
/// The node lists are replaced whole when a node is started again, so readers never see one half-changed.
/// </remarks>
/// <param name="startNode">
/// Starts one node: (id, true for a master) → the child. Default: <c>dotnet Dfs.Raft.dll</c> or <c>dotnet Dfs.ChunkServer.dll</c>
/// beside the gateway with <c>--config {configPath} --id {id}</c>.
/// </param>
public sealed class LocalCluster(ClusterConfig config, string configPath, TextWriter console, Func<string, bool, ChildNode>? startNode = null)
    : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private volatile ChildNode[] _masters = [];
    private volatile ChildNode[] _chunkServers = [];
    private int _disposed;

    public ClusterConfig Config => config;

    public IReadOnlyList<ChildNode> Masters => _masters;

    public IReadOnlyList<ChildNode> ChunkServers => _chunkServers;

    /// <summary>Starts all nodes and waits until every one printed its ready line.</summary>
    public async Task StartAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = startNode ?? StartFromBuiltBinaries();
        lock (_gate)
        {
            _masters = [.. config.Masters.Select(m => start(m.Id, true))];
            _chunkServers = [.. config.ChunkServers.Select(c => start(c.Id, false))];
        }
        var all = Task.WhenAll(_masters.Concat(_chunkServers).Select(n => n.Ready));
        await all.WaitAsync(timeout, cancellationToken);
    }

    /// <summary>
    /// Starts node <paramref name="id"/> again, with the arguments it was first started with, after it exited (killed,
    /// crashed or stopped). Returns at once with the new child; its <see cref="ChildNode.Ready"/> says when it serves.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No launched node has that id.</exception>
    /// <exception cref="InvalidOperationException">The node is still running (or the cluster is stopping).</exception>
    public async Task<ChildNode> RestartAsync(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        ChildNode old;
        ChildNode started;
        lock (_gate)
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                throw new InvalidOperationException("The launched cluster is stopping.");
            }
            var masters = _masters;
            var chunkServers = _chunkServers;
            var masterIndex = Array.FindIndex(masters, n => n.Id == id);
            var isMaster = masterIndex >= 0;
            var list = isMaster ? masters : chunkServers;
            var index = isMaster ? masterIndex : Array.FindIndex(chunkServers, n => n.Id == id);
            if (index < 0)
            {
                throw new KeyNotFoundException($"No launched master or chunk server is named {id}; they are {string.Join(", ", masters.Concat(chunkServers).Select(n => n.Id))}.");
            }
            old = list[index];
            if (!old.HasExited)
            {
                throw new InvalidOperationException($"{id} is running (pid {old.Pid}); only a node that has exited can be started again.");
            }
            started = (startNode ?? StartFromBuiltBinaries())(id, isMaster);
            var replaced = (ChildNode[])list.Clone();
            replaced[index] = started;
            if (isMaster)
            {
                _masters = replaced;
            }
            else
            {
                _chunkServers = replaced;
            }
        }
        // The old child has exited: this only releases its process handle.
        await old.DisposeAsync();
        return started;
    }

    private Func<string, bool, ChildNode> StartFromBuiltBinaries()
    {
        var masterDll = BinaryBesideGateway("Dfs.Raft.dll");
        var chunkDll = BinaryBesideGateway("Dfs.ChunkServer.dll");
        return (id, master) => ChildNode.Start(master ? masterDll : chunkDll, configPath, id, console);
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
        ChildNode[] masters;
        ChildNode[] chunkServers;
        lock (_gate)
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }
            (masters, chunkServers) = (_masters, _chunkServers);
        }
        await Task.WhenAll(chunkServers.Select(n => n.DisposeAsync().AsTask()));
        await Task.WhenAll(masters.Select(n => n.DisposeAsync().AsTask()));
    }
}
