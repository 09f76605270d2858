using System.Threading.Channels;

namespace Dfs.Raft.Consensus.Hosting;

/// <summary>
/// The persistence stage: one task writes Readys to the log in the order the loop took them, makes every
/// Ready queued so far durable with one fsync, and reports them back to the event loop, which then sends their
/// acknowledgements and advances the core.
/// </summary>
/// <remarks>
/// The loop keeps going while the disk works: follower acknowledgements, new proposals and reads are handled
/// and the next batch goes out to the followers during the leader's own fsync (thesis §10.2.1), and
/// committed entries are applied as soon as the core hands them out (they are durable on a quorum already).
/// What promises local durability (MessagesAfterPersist, Advance) waits for the fsync. Only this task touches
/// the log store while it runs; a Ready that carries a snapshot from the leader waits until it is idle.
/// </remarks>
public sealed partial class RaftHost
{
    private readonly Channel<PersistJob> _persistQueue =
        Channel.CreateUnbounded<PersistJob>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    // Touched by the event loop only.
    private int _persistJobsInFlight;
    private Ready? _snapshotReadyWaiting;
    private Task? _persister;
    private Task? _snapshotSave;

    /// <summary>Nothing else touches the log, the snapshot store or the state machine's restore: a leader's snapshot may be installed.</summary>
    private bool StorageIdle => _persistJobsInFlight == 0 && _snapshotSave is null;

    private abstract class PersistJob;

    private sealed class PersistReady(Ready ready) : PersistJob
    {
        public Ready Ready { get; } = ready;
    }

    private sealed class CompactLog(long index) : PersistJob
    {
        public long Index { get; } = index;
    }

    /// <summary>The persistence stage made these Readys durable (in order) and finished <see cref="Jobs"/> jobs.</summary>
    private sealed class PersistedEvent(IReadOnlyList<Ready> readies, int jobs, Exception? failure) : HostEvent
    {
        public IReadOnlyList<Ready> Readies { get; } = readies;

        public int Jobs { get; } = jobs;

        public Exception? Failure { get; } = failure;
    }

    private void StartPersister() => _persister = Task.Run(PersistLoopAsync, CancellationToken.None);

    private void EnqueuePersist(PersistJob job)
    {
        _persistJobsInFlight++;
        _persistQueue.Writer.TryWrite(job);
    }

    private async Task PersistLoopAsync()
    {
        var reader = _persistQueue.Reader;
        while (await reader.WaitToReadAsync())
        {
            var readies = new List<Ready>();
            var jobs = 0;
            var entries = 0;
            var written = false;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                // Everything queued while the last fsync ran is made durable by one fsync (group commit).
                while (reader.TryRead(out var job))
                {
                    jobs++;
                    switch (job)
                    {
                        case PersistReady { Ready: var ready }:
                            if (ready.Entries.Count > 0)
                            {
                                _logStore.Append(ready.Entries);
                                entries += ready.Entries.Count;
                                written = true;
                            }
                            if (ready.HardState is { } hardState)
                            {
                                _logStore.SetHardState(hardState);
                                written = true;
                            }
                            readies.Add(ready);
                            break;
                        case CompactLog { Index: var index }:
                            _logStore.CompactThrough(index);
                            break;
                    }
                }
                if (written)
                {
                    _logStore.Sync();
                    _metrics.Persisted(entries, started);
                }
                Enqueue(new PersistedEvent(readies, jobs, null));
            }
            catch (Exception e)
            {
                // The log can no longer keep its promises: the loop stops the node.
                Enqueue(new PersistedEvent([], jobs, e));
                return;
            }
        }
    }

    /// <summary>On the loop: the Readys are durable, so what promised durability may leave, and the core may count them.</summary>
    private void OnPersisted(RaftNode node, PersistedEvent persisted)
    {
        if (persisted.Failure is { } failure)
        {
            throw new IOException($"Raft node {Id} could not persist its log: {failure.Message}", failure);
        }
        foreach (var ready in persisted.Readies)
        {
            foreach (var message in ready.MessagesAfterPersist)
            {
                Send(message);
            }
            node.Advance(ready);
        }
        _persistJobsInFlight -= persisted.Jobs;
    }

    /// <summary>Stops the persistence stage after it has written what was queued.</summary>
    private async Task StopPersisterAsync()
    {
        _persistQueue.Writer.TryComplete();
        if (_persister is not null)
        {
            await _persister;
        }
    }
}
