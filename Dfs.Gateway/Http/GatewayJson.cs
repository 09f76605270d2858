using System.Text.Json;
using System.Text.Json.Serialization;
using Dfs.Gateway.Cluster;

namespace Dfs.Gateway.Http;

/// <summary>The answer of <c>GET /health</c> when a leader is reachable: <c>ok</c> and the leader's id.</summary>
public sealed record HealthJson(string Status, string Leader);

/// <summary>The answer of <c>POST /api/cluster/nodes/{id}/start</c>: the node started again and its new process id.</summary>
public sealed record NodeStartedJson(string Id, int Pid);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(HealthJson))]
[JsonSerializable(typeof(ClusterView))]
[JsonSerializable(typeof(NodeStartedJson))]
[JsonSerializable(typeof(FileWrittenJson))]
[JsonSerializable(typeof(FilePageJson))]
[JsonSerializable(typeof(RenameJson))]
[JsonSerializable(typeof(RenamedJson))]
[JsonSerializable(typeof(DirectoryCreatedJson))]
[JsonSerializable(typeof(DirectoryListingJson))]
[JsonSerializable(typeof(MetaJson))]
[JsonSerializable(typeof(LockJson))]
[JsonSerializable(typeof(LockQueueJson))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;
