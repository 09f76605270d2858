using System.Text.Json.Serialization;

namespace Dfs.Cli.Gateway.Contracts;

/// <summary>The answer to <c>GET /health</c>: <c>ok</c> with the leader's id, or <c>unavailable</c> (HTTP 503).</summary>
public sealed record HealthReport(string Status, string? Leader)
{
    /// <summary>True when a leader is reachable.</summary>
    [JsonIgnore]
    public bool IsOk => Status == "ok";
}
