using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace Dfs.Cli.Commands;

/// <summary><c>dfs cluster</c>: masters, chunk servers and replication state.</summary>
internal static class ClusterCommand
{
    public static Command Create(CommandRunner runner)
    {
        var command = new Command("cluster", "Show the masters, the chunk servers and the replication state");
        runner.SetHandler(command, async (context, _, cancellationToken) =>
        {
            var view = await context.Gateway.GetClusterAsync(cancellationToken);
            if (context.Json)
            {
                context.WriteJson(view);
                return ExitCodes.Ok;
            }
            await context.Out.WriteLineAsync($"leader: {view.Leader ?? "none"}");
            var masters = context.NewTable("master", "address", "role", "term", "commit index", "healthy", "pid");
            foreach (var m in view.Masters ?? [])
            {
                masters.AddRow(
                    Markup.Escape(m.Id), Markup.Escape(m.Address), Markup.Escape(m.Role ?? "-"), Invariant(m.Term), Invariant(m.CommitIndex),
                    m.Healthy ? "yes" : "[red]no[/]", m.Pid?.ToString(CultureInfo.InvariantCulture) ?? "-");
            }
            context.Terminal.Write(masters);
            var servers = context.NewTable("chunk server", "address", "alive", "draining", "capacity", "used", "free", "chunks", "load", "pid");
            foreach (var c in view.ChunkServers ?? [])
            {
                servers.AddRow(
                    Markup.Escape(c.Id), Markup.Escape(c.Address), c.Alive ? "yes" : "[red]no[/]", c.Draining ? "yes" : "no",
                    Sizes.Format(c.CapacityBytes), Sizes.Format(c.UsedBytes), Sizes.Format(c.FreeBytes), Invariant(c.ChunkCount),
                    c.Load.ToString("0.##", CultureInfo.InvariantCulture), c.Pid?.ToString(CultureInfo.InvariantCulture) ?? "-");
            }
            context.Terminal.Write(servers);
            await context.Out.WriteLineAsync(
                $"replication factor {view.ReplicationFactor}, under-replicated chunks {view.UnderReplicatedChunks}, replications in flight {view.ReplicationsInFlight}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Invariant(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "-";
}
