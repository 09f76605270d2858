using System.Text.Json;
using System.Text.Json.Serialization;
using Dfs.Common.Validation;

namespace Dfs.Common.Configuration;

/// <summary>A whole cluster as described by <c>config.json</c>. Every field has a default.</summary>
public sealed record ClusterConfig
{
    /// <summary>How many replicas each chunk gets. Default 3.</summary>
    public int ReplicationFactor { get; init; } = 3;

    /// <summary>Largest chunk a file is split into. Default 64 MiB.</summary>
    public long ChunkSizeBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// Files of at most this many bytes are kept inline: their content goes into the version record of the replicated
    /// metadata store in the commit's one Raft transaction (on a quorum of masters' disks before the upload is answered),
    /// with no chunk allocation and no chunk server. 0 stores every file in chunks. At most 512 KiB. Default 64 KiB.
    /// </summary>
    public int InlineFileBytes { get; init; } = 64 * 1024;

    /// <summary>Versions kept per file, the current one included; older ones are dropped and their chunks collected. Default 10.</summary>
    public int VersionsKept { get; init; } = 10;

    /// <summary>How often each chunk server heartbeats to every master. Default 1000 ms.</summary>
    public int ChunkServerHeartbeatMs { get; init; } = 1000;

    /// <summary>A chunk server not heard from for this long is declared dead and its chunks re-replicated. Default 5000 ms.</summary>
    public int ChunkServerDeadMs { get; init; } = 5000;

    /// <summary>How long a chunk allocated for a write may wait for its version commit before it is collected as an orphan. Default 1 hour.</summary>
    public int OrphanChunkGraceSeconds { get; init; } = 3600;

    /// <summary>Folder under which each node keeps <c>{dataDir}/{id}</c>; relative to the config file. Default <c>data</c>.</summary>
    public string DataDir { get; init; } = "data";

    /// <summary>
    /// Lower bound of the randomized Raft election timeout (the upper bound is twice this); at least three
    /// heartbeats. Absent: the Raft engine's default. The masters check the value when they start.
    /// </summary>
    public int? ElectionTimeoutMs { get; init; }

    /// <summary>How often a Raft leader heartbeats its followers. Absent: the Raft engine's default.</summary>
    public int? HeartbeatIntervalMs { get; init; }

    /// <summary>
    /// Log entries a master applies between two snapshots of its state (after which its log is compacted).
    /// Absent: the master's default.
    /// </summary>
    public long? SnapshotThreshold { get; init; }

    /// <summary>
    /// The masters' consensus backend: <c>dfs</c> (this repository's Raft engine, the default) or <c>dotnext</c>
    /// (DotNext's <c>RaftCluster</c>, which talks to its peers on each master's <see cref="MasterNodeConfig.ConsensusPort"/>).
    /// </summary>
    public string Consensus { get; init; } = ConsensusBackends.Dfs;

    /// <summary>Tuning of the chunk servers; every field has a default.</summary>
    public ChunkServerTuning ChunkServerTuning { get; init; } = new();

    public IReadOnlyList<MasterNodeConfig> Masters { get; init; } = [];

    public IReadOnlyList<ChunkServerNodeConfig> ChunkServers { get; init; } = [];

    public GatewayConfig Gateway { get; init; } = new();

    /// <summary>The folder holding the config file; relative paths resolve against it.</summary>
    [JsonIgnore]
    public string BaseDirectory { get; init; } = Directory.GetCurrentDirectory();

    /// <summary>The absolute data folder of the node with <paramref name="nodeId"/>.</summary>
    public string DataDirectoryFor(string nodeId) =>
        Path.GetFullPath(Path.Combine(BaseDirectory, DataDir, nodeId));

    /// <summary>The masters that form the group when it first starts: every master not marked <see cref="MasterNodeConfig.Joining"/>.</summary>
    [JsonIgnore]
    public IReadOnlyList<MasterNodeConfig> InitialMasters => Masters.Where(m => !m.Joining).ToArray();

    public MasterNodeConfig Master(string id) =>
        Masters.FirstOrDefault(m => m.Id == id)
        ?? throw new ConfigurationException($"No master with id '{id}' in the config; it has: {string.Join(", ", Masters.Select(m => m.Id))}.");

    public ChunkServerNodeConfig ChunkServer(string id) =>
        ChunkServers.FirstOrDefault(c => c.Id == id)
        ?? throw new ConfigurationException($"No chunk server with id '{id}' in the config; it has: {string.Join(", ", ChunkServers.Select(c => c.Id))}.");

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
    };

    /// <summary>Reads and validates a config file.</summary>
    /// <exception cref="ConfigurationException">The file is missing, malformed or inconsistent.</exception>
    public static ClusterConfig Load(string path)
    {
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new ConfigurationException($"Config file '{fullPath}' does not exist.");
        }
        ClusterConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<ClusterConfig>(File.ReadAllText(fullPath), JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ConfigurationException($"Config file '{fullPath}' is not valid JSON: {e.Message}");
        }
        if (config is null)
        {
            throw new ConfigurationException($"Config file '{fullPath}' is empty.");
        }
        config = config with { BaseDirectory = Path.GetDirectoryName(fullPath)! };
        config.Validate();
        return config;
    }

    /// <summary>Writes this config as JSON (used by tests and the launcher to describe clusters they start).</summary>
    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, JsonOptions));

    /// <summary>Checks the config for mistakes a person can fix, naming each one.</summary>
    /// <exception cref="ConfigurationException">With every problem found, one per line.</exception>
    public void Validate()
    {
        var check = new OptionsCheck()
            .Require(ReplicationFactor >= 1, $"replicationFactor must be at least 1 (is {ReplicationFactor}).")
            .Require(ChunkSizeBytes is >= 64 * 1024 and <= 1L << 32, $"chunkSizeBytes must be between 64 KiB and 4 GiB (is {ChunkSizeBytes}).")
            .Require(InlineFileBytes is >= 0 and <= 512 * 1024, $"inlineFileBytes must be between 0 and 512 KiB (is {InlineFileBytes}).")
            .Require(VersionsKept is >= 1 and <= 1000, $"versionsKept must be between 1 and 1000 (is {VersionsKept}).")
            .Require(ChunkServerHeartbeatMs > 0, $"chunkServerHeartbeatMs must be positive (is {ChunkServerHeartbeatMs}).")
            .Require(ChunkServerDeadMs > ChunkServerHeartbeatMs, $"chunkServerDeadMs must exceed chunkServerHeartbeatMs ({ChunkServerDeadMs} ≤ {ChunkServerHeartbeatMs}).")
            .Require(OrphanChunkGraceSeconds > 0, $"orphanChunkGraceSeconds must be positive (is {OrphanChunkGraceSeconds}).")
            .Require(ElectionTimeoutMs is null or > 0, $"electionTimeoutMs must be positive (is {ElectionTimeoutMs}).")
            .Require(HeartbeatIntervalMs is null or > 0, $"heartbeatIntervalMs must be positive (is {HeartbeatIntervalMs}).")
            .Require(SnapshotThreshold is null or > 0, $"snapshotThreshold must be positive (is {SnapshotThreshold}).")
            .Require(!string.IsNullOrWhiteSpace(DataDir), "dataDir must not be empty.")
            .Require(Masters.Count == 0 || Masters.Any(m => !m.Joining), "at least one master must not be marked joining: the group starts from those.")
            .Require(ConsensusBackends.IsKnown(Consensus),
                $"consensus must be \"{ConsensusBackends.Dfs}\" or \"{ConsensusBackends.DotNext}\" (is \"{Consensus}\").");
        ChunkServerTuning.Validate(check);
        var ids = Masters.Select(m => m.Id).Concat(ChunkServers.Select(c => c.Id)).ToList();
        foreach (var dup in ids.GroupBy(i => i).Where(g => g.Count() > 1))
        {
            check.Require(false, $"id '{dup.Key}' is used by more than one node.");
        }
        foreach (var id in ids.Where(i => string.IsNullOrWhiteSpace(i) || i.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_')))
        {
            check.Require(false, $"node id '{id}' must be non-empty ASCII letters, digits, '-' or '_'.");
        }
        var endpoints = Masters.SelectMany(m => new[] { (Owner: m.Id, m.Host, Port: m.RaftPort), (Owner: m.Id, m.Host, Port: m.ApiPort) })
            .Concat(Consensus == ConsensusBackends.DotNext
                ? Masters.Where(m => m.RaftPort != 0).Select(m => (Owner: m.Id, m.Host, Port: m.ConsensusPortOrDefault))
                : [])
            .Concat(ChunkServers.Select(c => (Owner: c.Id, c.Host, c.Port)))
            .Concat(ChunkServers.Where(c => c.MetricsPort is not null).Select(c => (Owner: c.Id, c.Host, Port: c.MetricsPort!.Value)))
            .Append((Owner: "gateway", Gateway.Host, Gateway.Port))
            .Where(e => e.Port != 0)
            .ToList();
        foreach (var clash in endpoints.GroupBy(e => (e.Host, e.Port)).Where(g => g.Count() > 1))
        {
            check.Require(false, $"{clash.Key.Host}:{clash.Key.Port} is used by {string.Join(" and ", clash.Select(e => e.Owner))}.");
        }
        foreach (var endpoint in endpoints.Where(e => e.Port is < 0 or > 65535))
        {
            check.Require(false, $"{endpoint.Owner}: port {endpoint.Port} is out of range.");
        }
        check.ThrowIfAny(problems => new ConfigurationException("The cluster config has problems:" + Environment.NewLine + "  " +
            string.Join(Environment.NewLine + "  ", problems)));
    }
}

/// <summary>One master: its Raft (internal) port and its HTTP API port.</summary>
public sealed record MasterNodeConfig
{
    public string Id { get; init; } = "";
    public string Host { get; init; } = "127.0.0.1";
    public int RaftPort { get; init; }
    public int ApiPort { get; init; }

    /// <summary>
    /// With <c>"consensus": "dotnext"</c>: the port DotNext's Raft transport listens on for the other masters (the
    /// internal client protocol stays on <see cref="RaftPort"/>). Absent: <see cref="RaftPort"/> + 1000.
    /// </summary>
    public int? ConsensusPort { get; init; }

    /// <summary>
    /// True for a master that is not one of the group's first members: it starts knowing the others but neither
    /// votes nor stands for election until the leader adds it (<c>dfs masters add</c>). Default false.
    /// </summary>
    /// <remarks>Once added, the member list it keeps in its own data folder wins over this flag on every restart.</remarks>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Joining { get; init; }

    /// <summary>The port DotNext's Raft transport uses: <see cref="ConsensusPort"/>, or <see cref="RaftPort"/> + 1000.</summary>
    [JsonIgnore]
    public int ConsensusPortOrDefault => ConsensusPort ?? RaftPort + 1000;
}

/// <summary>One chunk server. <see cref="CapacityBytes"/> 0 means the free space of its disk.</summary>
public sealed record ChunkServerNodeConfig
{
    public string Id { get; init; } = "";
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; }
    public long CapacityBytes { get; init; }

    /// <summary>Where the chunk server serves <c>/metrics</c> over HTTP (0: a port the OS picks); absent: no metrics listener.</summary>
    public int? MetricsPort { get; init; }
}

/// <summary>The gateway's HTTP endpoint.</summary>
public sealed record GatewayConfig
{
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 8080;
}

/// <summary>A config problem that stops a process from starting.</summary>
public sealed class ConfigurationException(string message) : Exception(message);
