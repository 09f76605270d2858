using System.CommandLine;

namespace Dfs.Cli.Commands;

/// <summary><c>dfs health</c>: exit 0 when the gateway reaches a leader, 5 otherwise.</summary>
internal static class HealthCommand
{
    public static Command Create(CommandRunner runner)
    {
        var command = new Command("health", "Check that the gateway is up and reaches a leader (exit 0), or not (exit 5)");
        runner.SetHandler(command, async (context, _, cancellationToken) =>
        {
            var report = await context.Gateway.GetHealthAsync(cancellationToken);
            if (context.Json)
            {
                context.WriteJson(report);
            }
            else
            {
                await context.Out.WriteLineAsync(report.IsOk ? $"ok (leader {report.Leader ?? "unknown"})" : $"{report.Status} (no leader reachable)");
            }
            return report.IsOk ? ExitCodes.Ok : ExitCodes.Unavailable;
        });
        return command;
    }
}
