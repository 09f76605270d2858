using System.CommandLine;
using Dfs.Cli.Gateway;

namespace Dfs.Cli.Commands;

/// <summary><c>dfs lock &lt;path&gt; [--owner NAME] [--ttl S] [--wait S] [--token T]</c>: takes (or renews) a lock and prints its token.</summary>
internal static class LockCommand
{
    public static Command Create(CommandRunner runner)
    {
        var path = new Argument<string>("path") { Description = "The path to lock" };
        var owner = new Option<string?>("--owner") { Description = "Who holds the lock (default: user@host)", HelpName = "name" };
        var ttl = new Option<int?>("--ttl") { Description = "Lease in seconds, 1..3600 (gateway default 30)", HelpName = "seconds" };
        var wait = new Option<int?>("--wait") { Description = "Wait up to this many seconds for a held lock, 0..300 (default 0)", HelpName = "seconds" };
        var token = new Option<string?>("--token") { Description = "Renew the lock this token holds instead of taking a new one", HelpName = "token" };
        ttl.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1 or > 3600)
            {
                r.AddError("--ttl must be between 1 and 3600 seconds");
            }
        });
        wait.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 0 or > 300)
            {
                r.AddError("--wait must be between 0 and 300 seconds");
            }
        });
        var command = new Command("lock", "Take a lock on a path and print its token (pass it to writes with --token, release with unlock)")
        {
            path, owner, ttl, wait, token,
        };
        runner.SetHandler(command, async (context, parse, cancellationToken) =>
        {
            var target = RemotePath.Normalize(parse.GetValue(path)!);
            var name = parse.GetValue(owner) ?? $"{Environment.UserName}@{Environment.MachineName}";
            var lease = parse.GetValue(token) is { } held
                ? await context.Gateway.RenewLockAsync(target, held, parse.GetValue(owner), parse.GetValue(ttl), cancellationToken)
                : await context.Gateway.AcquireLockAsync(target, name, parse.GetValue(ttl), parse.GetValue(wait), cancellationToken);
            if (context.Json)
            {
                context.WriteJson(lease);
            }
            else
            {
                // The token alone on stdout, so that TOKEN=$(dfs lock /a) works.
                await context.Out.WriteLineAsync(lease.Token);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
