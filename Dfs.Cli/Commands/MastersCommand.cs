using System.CommandLine;
using System.Globalization;
using Dfs.Cli.Gateway.Contracts;
using Spectre.Console;

namespace Dfs.Cli.Commands;

/// <summary>
/// <c>dfs masters list | add &lt;id&gt; --host H --raft-port P --api-port P [--consensus-port P] | remove &lt;id&gt;</c>:
/// the masters' group, changed one master at a time through the gateway and the leader.
/// </summary>
internal static class MastersCommand
{
    public static Command Create(CommandRunner runner)
    {
        var command = new Command("masters", "List the masters' group, or add or remove one master (replace a master: add the new one, then remove the old)");
        command.Subcommands.Add(List(runner));
        command.Subcommands.Add(Add(runner));
        command.Subcommands.Add(Remove(runner));
        return command;
    }

    private static Command List(CommandRunner runner)
    {
        var command = new Command("list", "Show each master of the group, its role and address, and which one leads");
        runner.SetHandler(command, async (context, _, cancellationToken) =>
            await WriteAsync(context, await context.Gateway.ListMastersAsync(cancellationToken)));
        return command;
    }

    private static Command Add(CommandRunner runner)
    {
        var id = new Argument<string>("id") { Description = "The new master's id (as in its config.json, where it is marked \"joining\": true)" };
        var host = new Option<string>("--host") { Description = "The host the new master listens on", HelpName = "host", Required = true };
        var raftPort = Port("--raft-port", "Its raft port (the other masters and the clients connect there)", required: true);
        var apiPort = Port("--api-port", "Its HTTP API port", required: true);
        var consensusPort = Port("--consensus-port", "With \"consensus\": \"dotnext\", DotNext's Raft port (default: raft port + 1000)", required: false);
        var command = new Command("add", "Add a running master to the group; returns once it has caught up with the log and votes")
        {
            id, host, raftPort, apiPort, consensusPort,
        };
        runner.SetHandler(command, async (context, parse, cancellationToken) =>
            await WriteAsync(context, await context.Gateway.AddMasterAsync(parse.GetValue(id)!, parse.GetValue(host)!, parse.GetValue(raftPort)!.Value,
                parse.GetValue(apiPort)!.Value, parse.GetValue(consensusPort), cancellationToken)));
        return command;
    }

    private static Command Remove(CommandRunner runner)
    {
        var id = new Argument<string>("id") { Description = "The master to take out of the group (the leader too: it steps down)" };
        var command = new Command("remove", "Remove a master from the group; stop its process afterwards") { id };
        runner.SetHandler(command, async (context, parse, cancellationToken) =>
            await WriteAsync(context, await context.Gateway.RemoveMasterAsync(parse.GetValue(id)!, cancellationToken)));
        return command;
    }

    private static Option<int?> Port(string name, string description, bool required)
    {
        var option = new Option<int?>(name) { Description = description, HelpName = "port", Required = required };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1 or > 65535)
            {
                r.AddError($"{name} must be between 1 and 65535");
            }
        });
        return option;
    }

    private static async Task<int> WriteAsync(CliContext context, MasterMembers group)
    {
        if (context.Json)
        {
            context.WriteJson(group);
            return ExitCodes.Ok;
        }
        await context.Out.WriteLineAsync($"leader: {group.Leader ?? "none"}");
        var table = context.NewTable("master", "role", "leader", "host", "raft port", "api port", "consensus port");
        foreach (var m in group.Members ?? [])
        {
            table.AddRow(Markup.Escape(m.Id), Markup.Escape(m.Role), m.Leader ? "yes" : "", Markup.Escape(m.Host ?? "?"), Port(m.RaftPort),
                Port(m.ApiPort), Port(m.ConsensusPort));
        }
        context.Terminal.Write(table);
        return ExitCodes.Ok;
    }

    private static string Port(int? port) => port?.ToString(CultureInfo.InvariantCulture) ?? "-";
}
