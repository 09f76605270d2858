using Dfs.ChunkServer.Server;
using Dfs.ChunkServer.Storage;
using Dfs.Client.ChunkServers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dfs.ChunkServer.Membership;

/// <summary>
/// A chunk server's membership in the cluster: once it listens, one heartbeat loop per master (<see cref="MasterLink"/>),
/// each with its own connection and timeout; the leader's commands are carried out by a <see cref="ReplicaCommandRunner"/>,
/// and replicas the store finds corrupt are reported to every master.
/// </summary>
public sealed class ChunkServerHeartbeats : BackgroundService
{
    private readonly ChunkServerHeartbeatOptions _options;
    private readonly ChunkService _service;
    private readonly ChunkServerListener _listener;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;
    private readonly ILogger<ChunkServerHeartbeats> _logger;
    private readonly ReplicaJournal _journal;
    private readonly ReplicaCommandRunner _commands;
    private readonly IReplicaCorruptionSource? _corruption;
    private List<MasterLink> _links = [];

    internal ChunkServerHeartbeats(ChunkServerHeartbeatOptions options, ChunkService service, ReplicaCopier copier, ChunkServerListener listener,
        IHostApplicationLifetime lifetime, TimeProvider time, ILogger<ChunkServerHeartbeats> logger, IReplicaCorruptionSource? corruption)
    {
        options.Validate();
        _options = options;
        _service = service;
        _listener = listener;
        _lifetime = lifetime;
        _time = time;
        _logger = logger;
        _journal = new ReplicaJournal(service.Store);
        _commands = new ReplicaCommandRunner(service, copier, options, logger);
        _corruption = corruption ?? service.Store as IReplicaCorruptionSource;
        if (_corruption is not null)
        {
            _corruption.ReplicaCorrupted += OnCorrupt;
        }
    }

    /// <summary>The masters that said they lead in their last answer.</summary>
    public IReadOnlyList<string> Leaders => _links.Where(l => l.IsLeader).Select(l => l.Master.Id).ToArray();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The port is known only once Kestrel listens.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (_lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        var endpoint = _listener.Endpoint;
        var host = _options.AdvertisedHost ?? endpoint.Host;
        _links = _options.Masters.Select(m => new MasterLink(m, _options, _journal, () => Describe(host, endpoint.Port), _commands, _time, _logger)).ToList();
        Log.HeartbeatsStarted(_logger, _options.ServerId, _links.Count, _options.Interval);
        try
        {
            await Task.WhenAll(_links.Select(l => Task.Run(() => l.RunAsync(stoppingToken), CancellationToken.None)));
        }
        finally
        {
            await _commands.DrainAsync();
        }
    }

    public override void Dispose()
    {
        if (_corruption is not null)
        {
            _corruption.ReplicaCorrupted -= OnCorrupt;
        }
        base.Dispose();
    }

    private HeartbeatRequest Describe(string host, int port)
    {
        var usage = _service.Store.GetUsage();
        return new HeartbeatRequest(_options.ServerId, host, port, usage.UsedBytes + usage.FreeBytes, usage.UsedBytes, usage.FreeBytes,
            _service.Transfers + _commands.Copies, Environment.ProcessId, FullReport: false, ReportPage: 0, LastPage: false, [], [], []);
    }

    private void OnCorrupt(object? sender, ReplicaCorruptedEventArgs e)
    {
        _journal.AddCorrupt(e.Chunk);
        Log.CorruptReported(_logger, e.Chunk.Id, e.Reason);
    }
}
