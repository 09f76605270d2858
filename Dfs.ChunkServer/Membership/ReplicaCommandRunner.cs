using Dfs.ChunkServer.Server;
using Dfs.Client.Chunks;
using Dfs.Client.Chunks.Protocol;
using Dfs.Client.ChunkServers;
using Microsoft.Extensions.Logging;

namespace Dfs.ChunkServer.Membership;

/// <summary>
/// Carries out the leader's commands from heartbeat replies: deletes at once, copies in the background with bounded
/// concurrency, one copy per chunk at a time (two masters that both think they lead may order the same one). Commands are
/// fenced by term: once a leader of some term has been heard, a master still leading an older term (deposed, and not yet
/// aware of it) is ignored, so its view cannot delete or copy anything.
/// </summary>
/// <param name="copied">Called after each copy that landed (the heartbeat loops report it at once).</param>
/// <param name="failed">
/// Called after a copy failed from every source it named (the heartbeat loops report it at once, so the leader orders it
/// elsewhere instead of waiting out its copy timeout).
/// </param>
internal sealed class ReplicaCommandRunner(ChunkService service, ReplicaCopier copier, ChunkServerHeartbeatOptions options, ILogger logger,
    Action? copied = null, Action<ReplicateCommand>? failed = null)
{
    private readonly SemaphoreSlim _slots = new(options.MaxConcurrentCopies, options.MaxConcurrentCopies);
    private readonly Lock _lock = new();
    private readonly HashSet<ulong> _copying = [];
    private readonly List<Task> _running = [];
    private long _highestLeaderTerm;

    /// <summary>Copies under way or waiting for a slot.</summary>
    public int Copies
    {
        get
        {
            lock (_lock)
            {
                return _copying.Count;
            }
        }
    }

    /// <summary>The highest term of a leader whose commands were taken.</summary>
    public long HighestLeaderTerm => Interlocked.Read(ref _highestLeaderTerm);

    public void Run(HeartbeatReply reply, CancellationToken stopping)
    {
        lock (_lock)
        {
            if (reply.Term < _highestLeaderTerm)
            {
                if (reply.Delete.Count > 0 || reply.Replicate.Count > 0)
                {
                    Log.StaleLeaderIgnored(logger, reply.Term, _highestLeaderTerm, reply.Delete.Count, reply.Replicate.Count);
                }
                return;
            }
            _highestLeaderTerm = reply.Term;
        }
        foreach (var id in reply.Delete)
        {
            lock (_lock)
            {
                if (_copying.Contains(id))
                {
                    continue;
                }
            }
            if (service.Store.TryGet(new ChunkId(id)) is not null)
            {
                service.Store.Delete(new ChunkId(id));
                Log.DeletedByMaster(logger, new ChunkId(id));
            }
        }
        foreach (var command in reply.Replicate)
        {
            lock (_lock)
            {
                if (!_copying.Add(command.ChunkId))
                {
                    continue;
                }
                _running.RemoveAll(t => t.IsCompleted);
                _running.Add(Task.Run(() => CopyAsync(command, stopping), CancellationToken.None));
            }
        }
    }

    /// <summary>Waits for the copies under way (at shutdown, after their token was cancelled).</summary>
    public Task DrainAsync()
    {
        lock (_lock)
        {
            return Task.WhenAll(_running);
        }
    }

    private async Task CopyAsync(ReplicateCommand command, CancellationToken stopping)
    {
        var id = new ChunkId(command.ChunkId);
        try
        {
            await _slots.WaitAsync(stopping);
            try
            {
                if (service.Store.TryGet(id) is { } held && held.Version >= command.Version)
                {
                    return;
                }
                foreach (var source in command.Sources)
                {
                    try
                    {
                        await copier.CopyAsync(new CopyFromRequest(id, command.Version, source), stopping);
                        copied?.Invoke();
                        return;
                    }
                    catch (Exception e) when (e is IOException or TimeoutException
                        || (e is OperationCanceledException && !stopping.IsCancellationRequested))
                    {
                        Log.CopyFailed(logger, id, source.ToString(), e.Message);
                    }
                }
                failed?.Invoke(command);
            }
            finally
            {
                _slots.Release();
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            lock (_lock)
            {
                _copying.Remove(command.ChunkId);
            }
        }
    }
}
