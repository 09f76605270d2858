using System.Net.Http.Json;
using System.Text.Json;
using Dfs.Common.Configuration;

namespace Dfs.Testing.Processes;

/// <summary>Reads master processes' <c>/raft/status</c> over HTTP, and waits until the running ones agree on one leader.</summary>
public sealed class MasterStatusProbe(ClusterConfig config) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(2) };

    /// <summary>Master <paramref name="id"/>'s <c>/raft/status</c>, or null when it does not answer.</summary>
    public async Task<JsonElement?> StatusAsync(string id, CancellationToken cancellationToken = default)
    {
        var master = config.Master(id);
        try
        {
            return await _http.GetFromJsonAsync<JsonElement>($"http://{master.Host}:{master.ApiPort}/raft/status", cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Waits until every master in <paramref name="running"/> (asked afresh at each poll) follows one leader; returns its id.</summary>
    public async Task<string> WaitForLeaderAsync(Func<IEnumerable<string>> running, TimeSpan timeout)
    {
        string? leader = null;
        var seen = "";
        await Eventually.WaitUntilAsync(async ct =>
        {
            var statuses = new List<(string Id, string? Role, string? Leader)>();
            foreach (var id in running().ToArray())
            {
                var status = await StatusAsync(id, ct);
                statuses.Add((id, status?.GetProperty("role").GetString(),
                    status is { } s && s.GetProperty("leaderId").ValueKind == JsonValueKind.String ? s.GetProperty("leaderId").GetString() : null));
            }
            seen = string.Join("; ", statuses.Select(s => $"{s.Id}: {s.Role ?? "no answer"} (leader {s.Leader ?? "none"})"));
            var leaders = statuses.Where(s => s.Role == "Leader").ToList();
            leader = leaders.Count == 1 && statuses.All(s => s.Leader == leaders[0].Id) ? leaders[0].Id : null;
            return leader is not null;
        }, timeout, () => seen, "one leader that every running master follows");
        return leader!;
    }

    public void Dispose() => _http.Dispose();
}
