using Dfs.ChunkServer.Server;
using Dfs.ChunkServer.Storage;
using Dfs.Client.Chunks;
using Dfs.Client.ChunkServers;
using Dfs.Client.Master;
using Dfs.Client.Master.Protocol;
using Dfs.Common.Configuration;
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
    private volatile List<MasterLink> _links = [];

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
        _commands = new ReplicaCommandRunner(service, copier, options, logger, copied: WakeLinks, failed: OnCopyFailed);
        _corruption = corruption ?? service.Store as IReplicaCorruptionSource;
        if (_corruption is not null)
        {
            _corruption.ReplicaCorrupted += OnCorrupt;
        }
    }

    private void WakeLinks()
    {
        foreach (var link in _links)
        {
            link.Wake();
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
        var running = new Dictionary<string, (MasterLink Link, CancellationTokenSource Stop, Task Run)>();
        void StartLink(MasterAddress master)
        {
            var link = new MasterLink(master, _options, _journal, () => Describe(host, endpoint.Port), _commands, _time, _logger);
            var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            running[master.Id] = (link, stop, Task.Run(() => link.RunAsync(stop.Token), CancellationToken.None));
            _links = running.Values.Select(r => r.Link).ToList();
        }
        foreach (var master in _options.Masters)
        {
            StartLink(master);
        }
        Log.HeartbeatsStarted(_logger, _options.ServerId, _links.Count, _options.Interval);
        try
        {
            await FollowMastersAsync(running, StartLink, stoppingToken);
        }
        finally
        {
            foreach (var (_, stop, _) in running.Values)
            {
                await stop.CancelAsync();
            }
            await Task.WhenAll(running.Values.Select(r => r.Run));
            foreach (var (_, stop, _) in running.Values)
            {
                stop.Dispose();
            }
            await _commands.DrainAsync();
        }
    }

    // Follows the masters' group as the leader's book lists it: a master added after this server started gets a heartbeat
    // loop of its own (so it knows the chunks when it leads), a removed one loses its loop.
    private async Task FollowMastersAsync(Dictionary<string, (MasterLink Link, CancellationTokenSource Stop, Task Run)> running,
        Action<MasterAddress> startLink, CancellationToken stoppingToken)
    {
        if (_options.MembershipRefresh <= TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, _time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
            }
            return;
        }
        await using var client = new MasterClient(_options.Masters.Select(m => new MasterNodeConfig { Id = m.Id, Host = m.Host, RaftPort = m.Port }).ToArray(),
            new MasterClientOptions { CallTimeout = _options.MembershipRefresh, TimeProvider = _time });
        await client.FollowMastersAsync(_options.MembershipRefresh, async masters =>
        {
            var book = masters.Select(m => new MasterAddress(m.Id, m.Host, m.RaftPort)).ToArray();
            foreach (var gone in running.Where(r => !book.Contains(r.Value.Link.Master)).ToArray())
            {
                await gone.Value.Stop.CancelAsync();
                await gone.Value.Run;
                gone.Value.Stop.Dispose();
                running.Remove(gone.Key);
                _links = running.Values.Select(r => r.Link).ToList();
            }
            foreach (var added in book.Where(m => !running.ContainsKey(m.Id)))
            {
                startLink(added);
            }
            Log.MastersFollowed(_logger, _options.ServerId, string.Join(", ", book.Select(m => m.Id)));
        }, failed: null, stoppingToken);
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

    private void OnCopyFailed(ReplicateCommand command)
    {
        _journal.FailedCopies.Add(new ReportedChunk(command.ChunkId, command.Version, 0));
        Log.CopyFailedReported(_logger, new ChunkId(command.ChunkId), command.Sources.Count);
        WakeLinks();
    }

    private void OnCorrupt(object? sender, ReplicaCorruptedEventArgs e)
    {
        _journal.Corrupt.Add(ReplicaJournal.Reported(e.Chunk));
        Log.CorruptReported(_logger, e.Chunk.Id, e.Reason);
    }
}
