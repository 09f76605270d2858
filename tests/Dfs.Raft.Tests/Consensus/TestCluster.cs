using System.Text;
using Dfs.Raft.Consensus;
using Dfs.Raft.Consensus.Messages;

namespace Dfs.Raft.Tests.Consensus;

/// <summary>
/// Several RaftNodes in one process with explicit message delivery: each node's Ready is handled in the
/// host order (send Messages, persist, send MessagesAfterPersist, apply, Advance), and a test decides what
/// is delivered, dropped or rewritten.
/// </summary>
internal sealed class TestCluster
{
    private readonly List<RaftMessage> _network = [];
    private readonly Func<string, RaftOptions> _options;
    private readonly HashSet<string> _isolated = new(StringComparer.Ordinal);

    public TestCluster(IEnumerable<string> ids, Func<string, RaftOptions>? options = null,
        Func<string, RaftBootState>? boot = null, int seed = 1)
    {
        var all = ids.ToArray();
        _options = options ?? (id => new RaftOptions { Id = id });
        var initial = new ClusterConfiguration(all);
        var index = 0;
        foreach (var id in all)
        {
            var state = boot?.Invoke(id) ?? new RaftBootState(HardState.Empty, null, [], initial);
            var member = new Member(id, state.InitialConfiguration, seed * 1000 + index++);
            member.Disk.HardState = state.HardState;
            member.Disk.Log.AddRange(state.Entries);
            member.Node = new RaftNode(_options(id), state, new Random(member.Seed));
            Members[id] = member;
        }
    }

    /// <summary>Adds a brand-new, empty node that knows the group as <paramref name="configuration"/> (not yet a member of it).</summary>
    public RaftNode AddNode(string id, ClusterConfiguration configuration)
    {
        var member = new Member(id, configuration, 5000 + Members.Count);
        member.Node = new RaftNode(_options(id), new RaftBootState(HardState.Empty, null, [], configuration), new Random(member.Seed));
        Members[id] = member;
        return member.Node;
    }

    public static TestCluster Of(int count, Func<string, RaftOptions>? options = null, int seed = 1) =>
        new(Enumerable.Range(1, count).Select(i => $"n{i}"), options, null, seed);

    public Dictionary<string, Member> Members { get; } = new(StringComparer.Ordinal);

    public RaftNode this[string id] => Members[id].Node;

    /// <summary>Messages on the wire, not yet delivered.</summary>
    public IReadOnlyList<RaftMessage> InFlight => _network;

    /// <summary>Returns true for a message that must be lost.</summary>
    public Func<RaftMessage, bool>? Drop { get; set; }

    /// <summary>Rewrites a message on delivery (return null to drop it).</summary>
    public Func<RaftMessage, RaftMessage?>? Intercept { get; set; }

    /// <summary>Every message delivered so far, in order.</summary>
    public List<RaftMessage> Delivered { get; } = [];

    public string? Leader => Members.Values.Where(m => !m.Down && m.Node.Role == RaftRole.Leader)
        .OrderByDescending(m => m.Node.Term).Select(m => m.Id).FirstOrDefault();

    public void Isolate(string id) => _isolated.Add(id);

    public void Heal() => _isolated.Clear();

    /// <summary>Handles one node's pending Ready (if any) like a host; returns it.</summary>
    public Ready? HandleReady(string id)
    {
        var member = Members[id];
        if (member.Down || !member.Node.HasReady)
        {
            return null;
        }
        var ready = member.Node.GetReady();
        Send(ready.Messages);
        member.Persist(ready);
        Send(ready.MessagesAfterPersist);
        member.Apply(ready);
        member.Node.Advance(ready);
        return ready;
    }

    public void Send(IEnumerable<RaftMessage> messages)
    {
        foreach (var message in messages)
        {
            if (message is InstallSnapshot install && install.Payload is null &&
                Members.TryGetValue(message.From, out var sender) && sender.Disk.SnapshotPayload is not null)
            {
                // The host attaches the snapshot bytes the core names.
                _network.Add(install with { Payload = sender.Disk.SnapshotPayload });
            }
            else
            {
                _network.Add(message);
            }
        }
    }

    /// <summary>Delivers every message on the wire once (in order), subject to isolation, Drop and Intercept.</summary>
    public int DeliverInFlight()
    {
        var batch = _network.ToArray();
        _network.Clear();
        if (Chaos is { } random)
        {
            // Reorder, duplicate and delay: what AppendEntries and votes must survive.
            random.Shuffle(batch);
            var delivered = 0;
            foreach (var original in batch)
            {
                var roll = random.NextDouble();
                if (roll < 0.1)
                {
                    _network.Add(original);
                    continue;
                }
                Deliver(original);
                delivered++;
                if (roll > 0.95)
                {
                    Deliver(original);
                }
            }
            return delivered;
        }
        foreach (var original in batch)
        {
            Deliver(original);
        }
        return batch.Length;
    }

    /// <summary>When set, deliveries are shuffled, some duplicated and some held back for a later round.</summary>
    public Random? Chaos { get; set; }

    public void Deliver(RaftMessage original)
    {
        if (_isolated.Contains(original.From) || _isolated.Contains(original.To) || Drop?.Invoke(original) == true)
        {
            return;
        }
        var message = Intercept is null ? original : Intercept(original);
        if (message is null || !Members.TryGetValue(message.To, out var target) || target.Down)
        {
            return;
        }
        Delivered.Add(message);
        target.Node.Step(message);
    }

    /// <summary>Handles readies and delivers messages until nothing moves (bounded).</summary>
    public void Stabilize(int maxRounds = 200)
    {
        for (var round = 0; round < maxRounds; round++)
        {
            var handled = 0;
            foreach (var id in Members.Keys)
            {
                if (HandleReady(id) is not null)
                {
                    handled++;
                }
            }
            var delivered = DeliverInFlight();
            if (handled == 0 && delivered == 0)
            {
                return;
            }
        }
        throw new InvalidOperationException($"The cluster did not settle within {maxRounds} rounds.");
    }

    public void Tick(string id, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            if (!Members[id].Down)
            {
                Members[id].Node.Tick();
            }
        }
    }

    /// <summary>Ticks every live node once per round, settling in between.</summary>
    public void TickAll(int rounds)
    {
        for (var i = 0; i < rounds; i++)
        {
            foreach (var member in Members.Values.Where(m => !m.Down))
            {
                member.Node.Tick();
            }
            Stabilize();
        }
    }

    /// <summary>Ticks only <paramref name="id"/> until it campaigns, then settles; asserts it became leader.</summary>
    public RaftNode Elect(string id)
    {
        var node = this[id];
        for (var i = 0; i < 4 * node.RandomizedElectionTimeout + 4 && node.Role == RaftRole.Follower; i++)
        {
            node.Tick();
        }
        Stabilize();
        if (node.Role != RaftRole.Leader)
        {
            throw new InvalidOperationException($"Expected {id} to be elected leader; it is {node.Role} in term {node.Term}.");
        }
        return node;
    }

    public void Crash(string id)
    {
        Members[id].Down = true;
        _network.RemoveAll(m => m.To == id);
    }

    /// <summary>Restarts a crashed node from what it persisted.</summary>
    public void Restart(string id)
    {
        var member = Members[id];
        member.Down = false;
        member.AppliedCommands.Clear();
        member.RestoreSnapshotState();
        var boot = new RaftBootState(member.Disk.HardState, member.Disk.Snapshot, member.Disk.Log.ToList(),
            member.InitialConfiguration);
        member.Node = new RaftNode(_options(id), boot, new Random(member.Seed + 7919));
    }

    /// <summary>The node's host snapshots its applied state and tells the core.</summary>
    public SnapshotMetadata TakeSnapshot(string id)
    {
        var member = Members[id];
        var index = member.Node.AppliedIndex;
        var term = member.Disk.TermAt(index) ?? throw new InvalidOperationException($"{id} has no entry {index} on disk.");
        var metadata = new SnapshotMetadata(index, term, member.AppliedConfiguration);
        member.Disk.Snapshot = metadata;
        member.Disk.SnapshotPayload = new MemorySnapshotPayload(
            Encoding.UTF8.GetBytes(string.Join('\n', member.AppliedCommands)));
        member.Disk.Log.RemoveRange(0, (int)(index - member.Disk.Log[0].Index + 1));
        member.Node.ReportSnapshot(metadata);
        return metadata;
    }

    public static byte[] Command(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Safety: every pair of nodes agrees on every index both have applied.</summary>
    public void AssertAppliedLogsAgree()
    {
        var members = Members.Values.ToArray();
        foreach (var a in members)
        {
            foreach (var b in members)
            {
                foreach (var (index, entry) in a.AppliedEntries)
                {
                    if (b.AppliedEntries.TryGetValue(index, out var other) && other.Term != entry.Term)
                    {
                        throw new InvalidOperationException(
                            $"{a.Id} applied term {entry.Term} at {index} but {b.Id} applied term {other.Term}.");
                    }
                }
            }
        }
    }

    internal sealed class Member(string id, ClusterConfiguration initialConfiguration, int seed)
    {
        public string Id { get; } = id;

        public int Seed { get; } = seed;

        public ClusterConfiguration InitialConfiguration { get; } = initialConfiguration;

        public RaftNode Node { get; set; } = null!;

        public bool Down { get; set; }

        public Disk Disk { get; } = new();

        public List<Ready> Readies { get; } = [];

        public List<string> AppliedCommands { get; } = [];

        public Dictionary<long, LogEntry> AppliedEntries { get; } = [];

        public List<ReadState> ReadStates { get; } = [];

        public ClusterConfiguration AppliedConfiguration { get; private set; } = initialConfiguration;

        public void Persist(Ready ready)
        {
            Readies.Add(ready);
            if (ready.Snapshot is not null)
            {
                Disk.Snapshot = ready.Snapshot.Metadata;
                Disk.SnapshotPayload = ready.Snapshot.Payload;
                if (ready.Snapshot.KeepsLog)
                {
                    Disk.Log.RemoveAll(e => e.Index <= ready.Snapshot.Metadata.Index);
                }
                else
                {
                    Disk.Log.Clear();
                }
                RestoreSnapshotState();
            }
            if (ready.Entries.Count > 0)
            {
                var first = ready.Entries[0].Index;
                Disk.TruncateFrom(first);
                if (Disk.Log.Count > 0 && Disk.Log[^1].Index != first - 1)
                {
                    throw new InvalidOperationException($"{Id}: Ready entries start at {first} after stored {Disk.Log[^1].Index}.");
                }
                Disk.Log.AddRange(ready.Entries);
            }
            if (ready.HardState is not null)
            {
                Disk.HardState = ready.HardState;
            }
        }

        public void Apply(Ready ready)
        {
            foreach (var entry in ready.CommittedEntries)
            {
                if (Disk.TermAt(entry.Index) != entry.Term)
                {
                    throw new InvalidOperationException($"{Id}: entry {entry.Index} handed out for apply before it was persisted.");
                }
                AppliedEntries[entry.Index] = entry;
                switch (entry.Kind)
                {
                    case EntryKind.Command:
                        AppliedCommands.Add(Encoding.UTF8.GetString(entry.Payload.Span));
                        break;
                    case EntryKind.Configuration:
                        AppliedConfiguration = ClusterConfiguration.Decode(entry.Payload.Span);
                        break;
                }
            }
            ReadStates.AddRange(ready.ReadStates);
        }

        public void RestoreSnapshotState()
        {
            AppliedCommands.Clear();
            if (Disk.Snapshot is null || Disk.SnapshotPayload is null)
            {
                AppliedConfiguration = InitialConfiguration;
                return;
            }
            using var reader = new StreamReader(Disk.SnapshotPayload.OpenRead(), Encoding.UTF8);
            var text = reader.ReadToEnd();
            if (text.Length > 0)
            {
                AppliedCommands.AddRange(text.Split('\n'));
            }
            AppliedConfiguration = Disk.Snapshot.Configuration;
        }
    }

    internal sealed class Disk
    {
        public HardState HardState { get; set; } = HardState.Empty;

        public List<LogEntry> Log { get; } = [];

        public SnapshotMetadata? Snapshot { get; set; }

        public SnapshotPayload? SnapshotPayload { get; set; }

        public long? TermAt(long index)
        {
            if (Log.Count == 0)
            {
                return null;
            }
            var position = index - Log[0].Index;
            return position >= 0 && position < Log.Count ? Log[(int)position].Term : null;
        }

        public void TruncateFrom(long index)
        {
            if (Log.Count == 0)
            {
                return;
            }
            var position = (int)Math.Clamp(index - Log[0].Index, 0, Log.Count);
            Log.RemoveRange(position, Log.Count - position);
        }
    }
}
