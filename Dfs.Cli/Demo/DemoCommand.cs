using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Dfs.Cli.Demo;

/// <summary><c>dfs demo failover</c>: kill the leader (and a chunk server) under load and tell what happened.</summary>
internal static class DemoCommand
{
    public static Command Create(CommandRunner runner)
    {
        var demo = new Command("demo", "Demonstrations against a running cluster");
        demo.Subcommands.Add(CreateFailover(runner));
        return demo;
    }

    private static Command CreateFailover(CommandRunner runner)
    {
        var rounds = Bounded("--rounds", "How many times the leader is killed and started again; the summary gives the median write gap", "N", 1, 1, 20);
        var writers = Bounded("--writers", "Concurrent writers uploading small files", "N", 4, 1, 64);
        var interval = Bounded("--interval", "Each writer starts an upload this often, in ms", "MS", 200, 10, 10_000);
        var size = Bounded("--max-size", "Largest file in bytes (files are 1 KiB to this)", "BYTES", 16 * 1024, 1024, 16 * 1024 * 1024);
        var chunkedFiles = Bounded("--chunked-files", "Files of 1 MiB stored before a chunk server is killed, so it holds chunks to re-replicate", "N", 24, 0, 1000);
        var noChunkServer = new Option<bool>("--no-chunk-server") { Description = "Only kill the leader; leave the chunk servers alone" };
        var keep = new Option<bool>("--keep") { Description = "Keep the uploaded files (default: the demo's folder is deleted at the end)" };
        var command = new Command("failover",
            "Under a steady stream of uploads and reads through the gateway, SIGKILL the leader master, time the election and the gap until "
            + "writes resume, verify every acknowledged upload byte for byte, start the dead master again and watch it rejoin as a follower "
            + "and catch up; then kill a chunk server and time the re-replication of its chunks.\n"
            + "The nodes are killed by the pids /api/cluster reports (Process.Kill, i.e. SIGKILL), so run it on the machine the cluster runs on. "
            + "Starting a node again needs the gateway that launched the cluster (dotnet run -c Release --project Dfs.Gateway). "
            + "Exit 0 when nothing acknowledged was lost; 6 when something was.")
        {
            rounds, writers, interval, size, chunkedFiles, noChunkServer, keep,
        };
        runner.SetHandler(command, async (context, parse, cancellationToken) =>
        {
            var startedAt = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            var live = !context.Json;
            var timeline = new Timeline(() => clock.ElapsedMilliseconds, live ? e => Narrate(context, e) : null);
            var options = new FailoverDemoOptions(
                parse.GetValue(rounds),
                new UploadStreamOptions(parse.GetValue(writers), TimeSpan.FromMilliseconds(parse.GetValue(interval)), 1024, parse.GetValue(size)),
                !parse.GetValue(noChunkServer),
                parse.GetValue(keep),
                parse.GetValue(chunkedFiles));
            if (live)
            {
                context.Terminal.MarkupLine($"[bold]{"time".PadLeft(Timeline.TimeWidth)}  {"after kill".PadLeft(Timeline.SinceWidth)}  what happened[/]");
            }
            var report = await new FailoverDemo(context.Gateway, options, timeline, () => clock.ElapsedMilliseconds).RunAsync(cancellationToken)
                with
            { StartedAtUtc = startedAt };
            if (context.Json)
            {
                context.WriteJson(report);
            }
            else
            {
                WriteRounds(context, report);
                context.Terminal.MarkupLine(Markup.Escape(Summary(report)).Insert(0, report.Uploads.Lost == 0 ? "[bold green]" : "[bold red]") + "[/]");
            }
            return report.Uploads.Lost == 0 && report.Uploads.BadReadsDuringStream == 0 ? ExitCodes.Ok : ExitCodes.ServerError;
        });
        return command;
    }

    /// <summary>The one line that sums the demo up.</summary>
    internal static string Summary(FailoverReport report)
    {
        var gaps = report.Rounds.Where(r => r.WritesResumedAfterMs is not null).Select(r => r.WritesResumedAfterMs!.Value).ToArray();
        var leader = report.MedianGapMs is { } median
            ? $"leader killed {report.Rounds.Count}x, writes resumed after {(gaps.Length == 1 ? "" : "a median of ")}{median.ToString("0", CultureInfo.InvariantCulture)} ms"
              + $" (goal {report.GoalMs.ToString("0", CultureInfo.InvariantCulture)} ms: {(report.GoalMet ? "met" : "not met")})"
            : $"leader killed {report.Rounds.Count}x, writes did not resume";
        var chunk = report.ChunkServer is { Id.Length: > 0 } c
            ? $"; chunk server {c.Id} killed: {c.UploadsAcknowledgedWhileDown} uploads acknowledged while it was down, "
              + (c.ReReplicatedAfterMs is { } r ? $"full replication again after {(r / 1000.0).ToString("0.0", CultureInfo.InvariantCulture)} s"
                  + (c.ReReplicatedWhileDown ? "" : " (after its restart)") : "replication not restored")
            : "";
        var u = report.Uploads;
        var load = report.LoadAverage is { Length: > 0 } l ? $"; load average {l[0].ToString("0.00", CultureInfo.InvariantCulture)}" : "";
        return $"Summary: {leader}{chunk}; {u.Acknowledged} uploads acknowledged, {u.Verified} read back identical, {u.Lost} lost, {u.Failed} failed (never acknowledged){load}.";
    }

    private static void Narrate(CliContext context, TimelineEvent e)
    {
        var colour = e.Kind switch
        {
            TimelineKind.Kill => "red",
            TimelineKind.Elected => "yellow",
            TimelineKind.Resumed => "green",
            TimelineKind.Good => "green",
            TimelineKind.Warning => "yellow",
            TimelineKind.Bad => "bold red",
            _ => "default",
        };
        context.Terminal.MarkupLine($"[grey]{Timeline.TimeColumn(e)}[/]  [bold]{Timeline.SinceColumn(e)}[/]  [{colour}]{Markup.Escape(e.Text)}[/]");
    }

    private static void WriteRounds(CliContext context, FailoverReport report)
    {
        var table = context.NewTable("round", "killed", "term", "new leader", "term", "elected after", "writes resumed after", "failed uploads", "rejoined");
        foreach (var r in report.Rounds)
        {
            table.AddRow(
                Invariant(r.Round), Markup.Escape(r.OldLeader), Invariant(r.OldTerm), Markup.Escape(r.NewLeader ?? "-"), r.NewTerm is { } t ? Invariant(t) : "-",
                Ms(r.ElectedAfterMs),
                r.WritesResumedAfterMs is { } gap ? (gap <= report.GoalMs ? $"[green]{gap} ms[/]" : $"[yellow]{gap} ms[/]") : "[red]-[/]",
                Invariant(r.FailedUploads),
                r.RejoinedAsFollower ? $"yes, after {Ms(r.RejoinedAfterMs)}" : "[red]no[/]");
        }
        context.Terminal.Write(table);
    }

    private static string Ms(long? ms) => ms is { } v ? Invariant(v) + " ms" : "-";

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static Option<int> Bounded(string name, string description, string helpName, int @default, int min, int max)
    {
        var option = new Option<int>(name)
        {
            Description = $"{description} ({min}..{max}, default {@default})",
            HelpName = helpName,
            DefaultValueFactory = _ => @default,
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < min || result.GetValueOrDefault<int>() > max)
            {
                result.AddError($"{name} must be between {min} and {max}");
            }
        });
        return option;
    }
}
