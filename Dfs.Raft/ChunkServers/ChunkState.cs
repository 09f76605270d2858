namespace Dfs.Raft.ChunkServers;

/// <summary>One chunk as one master knows it: its newest version and who holds which version. Guarded by the directory's lock.</summary>
/// <remarks>
/// A master keeps one of these for every chunk in the cluster, so it is kept small: the holders are one array of packed
/// longs (the server's <see cref="ServerState.Index"/> in the top 16 bits, the version it holds in the low 48), and the
/// state only chunks under repair need lives in a side object that exists only while one of its parts is set. A chunk
/// with three replicas costs about 100 B here, where a dictionary of holder names alone cost about 200.
/// </remarks>
internal sealed class ChunkState(ulong id)
{
    /// <summary>The highest chunk version a holder can be recorded at (48 bits; versions grow by one per pipeline rebuild).</summary>
    public const long MaxVersion = (1L << VersionBits) - 1;

    private const int VersionBits = 48;
    private static readonly long[] NoHolders = [];

    private long[] _holders = NoHolders;
    private RepairState? _repair;

    public ulong Id { get; } = id;

    /// <summary>The newest version known: the highest of what writes recorded and what servers reported.</summary>
    public long Version { get; set; }

    public int HolderCount => _holders.Length;

    /// <summary>The holders as they are now, packed; read them with <see cref="ServerIndexOf"/> and <see cref="VersionOf"/>. The array is never changed in place.</summary>
    public long[] PackedHolders => _holders;

    public static int ServerIndexOf(long packed) => (int)((ulong)packed >> VersionBits);

    public static long VersionOf(long packed) => packed & MaxVersion;

    public bool Holds(ServerState server) => Find(server.Index) >= 0;

    /// <summary>Records that <paramref name="server"/> holds <paramref name="version"/> (0 to <see cref="MaxVersion"/>); returns whether it is a new holder.</summary>
    public bool SetHolder(ServerState server, long version)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(version, MaxVersion);
        var packed = ((long)server.Index << VersionBits) | version;
        var at = Find(server.Index);
        if (at >= 0)
        {
            if (_holders[at] != packed)
            {
                var changed = (long[])_holders.Clone();
                changed[at] = packed;
                _holders = changed;
            }
            return false;
        }
        var grown = new long[_holders.Length + 1];
        _holders.CopyTo(grown, 0);
        grown[^1] = packed;
        _holders = grown;
        return true;
    }

    /// <summary>Forgets <paramref name="server"/> as a holder; returns whether it was one.</summary>
    public bool RemoveHolder(ServerState server)
    {
        var at = Find(server.Index);
        if (at < 0)
        {
            return false;
        }
        if (_holders.Length == 1)
        {
            _holders = NoHolders;
            return true;
        }
        var holders = new long[_holders.Length - 1];
        Array.Copy(_holders, 0, holders, 0, at);
        Array.Copy(_holders, at + 1, holders, at, _holders.Length - at - 1);
        _holders = holders;
        return true;
    }

    /// <summary>
    /// Writers of a version not yet reported by them, with the timestamp until which they are trusted without a report:
    /// reads are sent to them and they count toward the replication factor, but never as holders for deletion.
    /// </summary>
    public Dictionary<string, (long Version, long Until)>? Expected
    {
        get => _repair?.Expected;
        set => UpdateRepair(value is null, repair => repair.Expected = value);
    }

    /// <summary>Servers not to copy this chunk onto until the given timestamp (a copy there timed out, or its replica was corrupt).</summary>
    public Dictionary<string, long>? Avoid
    {
        get => _repair?.Avoid;
        set => UpdateRepair(value is null, repair => repair.Avoid = value);
    }

    /// <summary>
    /// Surplus replicas ordered deleted, with the timestamp until which the order stands: they no longer count, and no other
    /// is trimmed while they are reported. Dropped when the holder reports the deletion or the time passes.
    /// </summary>
    public Dictionary<string, long>? Trimming
    {
        get => _repair?.Trimming;
        set => UpdateRepair(value is null, repair => repair.Trimming = value);
    }

    /// <summary>Copies of it in flight.</summary>
    public int Copies
    {
        get => _repair?.Copies ?? 0;
        set => UpdateRepair(value == 0, repair => repair.Copies = value);
    }

    private int Find(int serverIndex)
    {
        var holders = _holders;
        for (var i = 0; i < holders.Length; i++)
        {
            if (ServerIndexOf(holders[i]) == serverIndex)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Sets one part of the side object, making it first if needed and dropping it once every part is empty.</summary>
    private void UpdateRepair(bool clearing, Action<RepairState> update)
    {
        if (clearing && _repair is null)
        {
            return;
        }
        update(_repair ??= new RepairState());
        if (_repair is { Expected: null, Avoid: null, Trimming: null, Copies: 0 })
        {
            _repair = null;
        }
    }

    private sealed class RepairState
    {
        public Dictionary<string, (long Version, long Until)>? Expected;
        public Dictionary<string, long>? Avoid;
        public Dictionary<string, long>? Trimming;
        public int Copies;
    }
}
