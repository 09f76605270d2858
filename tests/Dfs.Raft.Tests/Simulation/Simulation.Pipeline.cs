using Dfs.Raft.Consensus;

namespace Dfs.Raft.Tests.Simulation;

/// <summary>
/// The pipelined host, in RaftHost's order: the loop keeps taking Readys while earlier ones are persisted;
/// a persistence stage writes everything queued, fsyncs once, and reports the batch back in order.
/// </summary>
/// <remarks>
/// For each Ready without a snapshot: send Messages, apply CommittedEntries and serve ReadStates at once,
/// then queue it to the persistence stage if anything is in flight or it has Entries, a HardState or
/// MessagesAfterPersist, else Advance at once. At a batch's completion the loop sends each Ready's
/// MessagesAfterPersist and calls Advance, in order. Compaction after a snapshot queues behind the writes.
/// A Ready with a snapshot waits until nothing is in flight, then is handled start to end with the loop
/// blocked (<see cref="PersistSequentially"/>). The stage writes a batch to the store when it starts and
/// syncs it when the disk latency has passed, and writes nothing while it syncs, so the sync covers
/// exactly what was written before it began, and a crash in between keeps what the store's Crash keeps.
/// </remarks>
internal sealed partial class Simulation
{
    // How long the persistence stage takes to wake up once work is queued (a thread handoff).
    private const int PersisterWakeUpUs = 50;

    private void HandleReadyPipelined(SimNode node)
    {
        var raft = node.Raft!;
        while (node.Up && !node.Persisting && node.SnapshotReadyWaiting is null && raft.HasReady)
        {
            var ready = raft.GetReady();
            _trace.Mix(-2, ready.Entries.Count, ready.CommittedEntries.Count, ready.Messages.Count + ready.MessagesAfterPersist.Count);
            if (ready.Snapshot is not null)
            {
                // Installing a snapshot replaces the state machine and the log: it waits until nothing else touches them.
                if (node.PersistJobsInFlight > 0)
                {
                    node.SnapshotReadyWaiting = ready;
                    _stats.SnapshotReadiesWaited++;
                    return;
                }
                PersistSequentially(node, ready);
                return;
            }
            if (node.PersistJobsInFlight > 0)
            {
                _stats.ReadiesTakenWhilePersisting++;
            }
            foreach (var message in ready.Messages)
            {
                CheckSentBeforePersist(node, message);
                Send(node, message);
            }
            if (_options.HostFault == HostFault.AcknowledgesBeforePersist)
            {
                foreach (var message in ready.MessagesAfterPersist)
                {
                    Send(node, message);
                }
            }
            // Committed entries are on a quorum's disks already; applying them does not wait for this node's fsync.
            ApplyAndServe(node, ready);
            if (node.PersistJobsInFlight > 0 || ready.Entries.Count > 0 || ready.HardState is not null || ready.MessagesAfterPersist.Count > 0)
            {
                // Acknowledgements promise that everything before them is durable, so they queue behind earlier Readys.
                EnqueuePersist(node, new SimPersistJob(ready, 0));
            }
            else
            {
                raft.Advance(ready);
            }
            MaybeTakeSnapshot(node);
            Observe(node);
        }
    }

    private void EnqueuePersist(SimNode node, SimPersistJob job)
    {
        node.PersistJobsInFlight++;
        node.PersistQueue.Enqueue(job);
        if (!node.DiskBusy)
        {
            node.DiskBusy = true;
            var incarnation = node.Incarnation;
            _events.After(_random.Next(PersisterWakeUpUs + 1), () =>
            {
                if (node.Incarnation == incarnation && node.Up)
                {
                    StartPersistBatch(node);
                }
            });
        }
    }

    /// <summary>The persistence stage takes everything queued: writes it now, and syncs it once after the disk latency.</summary>
    private void StartPersistBatch(SimNode node)
    {
        var readies = new List<Ready>();
        var jobs = 0;
        var written = false;
        while (node.PersistQueue.TryDequeue(out var job))
        {
            jobs++;
            if (job.Ready is not { } ready)
            {
                node.LogStore.CompactThrough(job.CompactThrough);
                continue;
            }
            if (ready.Entries.Count > 0)
            {
                try
                {
                    node.LogStore.Append(ready.Entries);
                }
                catch (ArgumentException e)
                {
                    _checker.Report(InvariantChecker.HostContract, $"{node.Id}: the persistence stage cannot append: {e.Message}");
                    return;
                }
                written = true;
            }
            if (ready.HardState is { } hardState)
            {
                node.LogStore.SetHardState(hardState);
                written = true;
            }
            readies.Add(ready);
        }
        if (readies.Count > 1 && written)
        {
            _stats.CoalescedSyncs++;
        }
        var incarnation = node.Incarnation;
        var latency = written ? DiskLatency() : 0;
        if (written)
        {
            MaybeCrashDuringWrite(node, incarnation, latency);
        }
        _events.After(latency, () =>
        {
            if (node.Incarnation != incarnation || !node.Up)
            {
                return;
            }
            if (written && _options.HostFault != HostFault.SkipsFsync)
            {
                // Nothing was written since the batch started: this sync covers exactly the batch and what came before.
                node.LogStore.Sync();
            }
            // The stage goes on with what was queued meanwhile while the loop takes in this report.
            node.DiskBusy = false;
            if (node.PersistQueue.Count > 0)
            {
                node.DiskBusy = true;
                StartPersistBatch(node);
            }
            OnNode(node, _ => OnPersisted(node, readies, jobs));
        });
    }

    /// <summary>On the loop: the batch is durable, so what promised durability may leave, and the core may count it.</summary>
    private void OnPersisted(SimNode node, List<Ready> readies, int jobs)
    {
        var raft = node.Raft!;
        foreach (var ready in readies)
        {
            if (_options.HostFault != HostFault.AcknowledgesBeforePersist)
            {
                foreach (var message in ready.MessagesAfterPersist)
                {
                    Send(node, message);
                }
            }
            raft.Advance(ready);
        }
        node.PersistJobsInFlight -= jobs;
        if (node.SnapshotReadyWaiting is { } waiting && node.PersistJobsInFlight == 0)
        {
            node.SnapshotReadyWaiting = null;
            PersistSequentially(node, waiting);
        }
    }
}
