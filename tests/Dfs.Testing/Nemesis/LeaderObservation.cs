using System.Text.Json;

namespace Dfs.Testing.Nemesis;

/// <summary>What one master said of itself at one instant (from its <c>/raft/status</c>), one JSON line of the leaders file.</summary>
/// <param name="Time">When it was asked (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>).</param>
/// <param name="Master">The master asked.</param>
/// <param name="Term">Its current term.</param>
/// <param name="Role">Leader, Follower, Candidate…</param>
/// <param name="Leader">The leader it knows of, if any.</param>
public sealed record LeaderObservation(long Time, string Master, long Term, string Role, string? Leader)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static IReadOnlyList<LeaderObservation> ReadAll(string path) =>
        File.Exists(path) ? [.. File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<LeaderObservation>(l, Json)!)] : [];

    /// <summary>Terms in which two different masters said they led, each with the two claims.</summary>
    public static IReadOnlyList<string> TwoLeadersInOneTerm(IEnumerable<LeaderObservation> observations) =>
        [.. observations.Where(o => o.Role == "Leader")
            .GroupBy(o => o.Term)
            .Where(g => g.Select(o => o.Master).Distinct().Count() > 1)
            .Select(g => $"term {g.Key}: " + string.Join(", ", g.GroupBy(o => o.Master).Select(m => $"{m.Key} (first seen at {m.Min(o => o.Time)})")))];
}
