using System.Globalization;

namespace Dfs.Nemesis.Workload;

/// <summary>The workload's command line.</summary>
internal sealed record WorkloadOptions
{
    public required Uri Gateway { get; init; }

    public IReadOnlyList<(string Id, Uri Api)> Masters { get; init; } = [];

    public required string HistoryPath { get; init; }

    public string? LeadersPath { get; init; }

    public int Seconds { get; init; } = 60;

    public int Clients { get; init; } = 4;

    public int Pairs { get; init; } = 6;

    public int Seed { get; init; } = 1;

    public int MaxBytes { get; init; } = 160 * 1024;

    /// <summary>Read every path once (retrying until an answer) instead of running the mixed workload.</summary>
    public bool Final { get; init; }

    /// <summary>
    /// Parses <c>--gateway URL --history FILE [--leaders FILE] [--masters m1=URL,m2=URL] [--seconds N] [--clients N]
    /// [--pairs N] [--seed N] [--max-bytes N] [--final]</c>.
    /// </summary>
    public static WorkloadOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var final = false;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--final")
            {
                final = true;
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
            {
                values[args[i][2..]] = args[++i];
            }
            else
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            }
        }

        int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new WorkloadOptions
        {
            Gateway = new Uri(values.TryGetValue("gateway", out var g) ? g : throw new ArgumentException("--gateway is required.")),
            HistoryPath = values.TryGetValue("history", out var h) ? h : throw new ArgumentException("--history is required."),
            LeadersPath = values.GetValueOrDefault("leaders"),
            Masters = values.TryGetValue("masters", out var m)
                ? [.. m.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(e => e.Split('=', 2)).Select(p => (p[0], new Uri(p[1])))]
                : [],
            Seconds = Int("seconds", 60),
            Clients = Int("clients", 4),
            Pairs = Int("pairs", 6),
            Seed = Int("seed", 1),
            MaxBytes = Int("max-bytes", 160 * 1024),
            Final = final,
        };
    }
}
