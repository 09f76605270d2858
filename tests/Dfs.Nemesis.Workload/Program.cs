using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Dfs.Nemesis.Workload;
using Dfs.Testing.Nemesis;

// The nemesis workload: runs inside a client network namespace (the only place the nodes are reachable from),
// several concurrent clients upload, overwrite, read, rename, lock and delete files through the gateway, and every
// request is appended to a JSON-lines history; a poller records what each master says of its role and term.
// With --final it reads every path once, retrying until it gets an answer, into the same history.
var options = WorkloadOptions.Parse(args);
using var http = new HttpClient(new SocketsHttpHandler
{
    // A partition leaves dead connections in the pool; short lifetimes let requests find the healed network.
    PooledConnectionLifetime = TimeSpan.FromSeconds(5),
    ConnectTimeout = TimeSpan.FromSeconds(3),
})
{
    BaseAddress = options.Gateway,
    Timeout = TimeSpan.FromSeconds(20),
};
using var history = new HistoryWriter(options.HistoryPath);

if (options.Final)
{
    var reader = new FileClient(1000, http, history);
    var deadline = Stopwatch.StartNew();
    var unanswered = 0;
    for (var pair = 0; pair < options.Pairs; pair++)
    {
        for (var side = 0; side < 2; side++)
        {
            while (!(await reader.ReadAsync(pair, side)).Answered)
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(Math.Max(30, options.Seconds)))
                {
                    unanswered++;
                    break;
                }

                await Task.Delay(500);
            }
        }
    }

    Console.WriteLine($"final read-back done: {2 * options.Pairs} paths, {unanswered} without an answer");
    return unanswered == 0 ? 0 : 2;
}

using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(options.Seconds));
var counts = new int[5];
async Task ClientAsync(int client)
{
    var random = new Random(options.Seed * 1000 + client);
    var files = new FileClient(client, http, history);
    while (!stop.IsCancellationRequested)
    {
        var pair = random.Next(options.Pairs);
        var side = random.Next(2);
        var roll = random.Next(100);
        var kind = roll switch { < 30 => 0, < 65 => 1, < 73 => 2, < 85 => 3, _ => 4 };
        Interlocked.Increment(ref counts[kind]);
        switch (kind)
        {
            case 0:
                await files.WriteAsync(pair, side, Bytes(random));
                break;
            case 1:
                await files.ReadAsync(pair, side);
                break;
            case 2:
                await files.DeleteAsync(pair, side);
                break;
            case 3:
                await files.RenameAsync(pair, side);
                break;
            default:
                await files.LockedWriteAsync(pair, side, Bytes(random));
                break;
        }
    }
}

byte[] Bytes(Random random)
{
    var data = new byte[random.Next(1, options.MaxBytes + 1)];
    random.NextBytes(data);
    return data;
}

async Task PollLeadersAsync(string path)
{
    using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
    using var writer = new HistoryWriter(path);
    while (!stop.IsCancellationRequested)
    {
        await Task.WhenAll(options.Masters.Select(async master =>
        {
            var asked = Stopwatch.GetTimestamp();
            try
            {
                var status = await probe.GetFromJsonAsync<JsonElement>(new Uri(master.Api, "raft/status"));
                var leader = status.GetProperty("leaderId");
                writer.Write(new LeaderObservation(asked, master.Id, status.GetProperty("term").GetInt64(), status.GetProperty("role").GetString() ?? "",
                    leader.ValueKind == JsonValueKind.String ? leader.GetString() : null).ToJson());
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
            {
                // Dead, paused or cut off: nothing said.
            }
        }));
        try
        {
            await Task.Delay(100, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }
}

var tasks = Enumerable.Range(1, options.Clients).Select(ClientAsync).ToList();
if (options.LeadersPath is { } leadersPath && options.Masters.Count > 0)
{
    tasks.Add(PollLeadersAsync(leadersPath));
}

await Task.WhenAll(tasks);
Console.WriteLine($"workload done: {counts.Sum()} operations (write {counts[0]}, read {counts[1]}, delete {counts[2]}, rename {counts[3]}, locked write {counts[4]})");
return 0;
