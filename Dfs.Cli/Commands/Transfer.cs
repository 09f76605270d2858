namespace Dfs.Cli.Commands;

/// <summary>What put and get share once a batch has run.</summary>
internal static class Transfer
{
    /// <summary>Reports each failure on stderr; the exit code is the first failure's (0 when none failed).</summary>
    public static int Report(CliContext context, IEnumerable<(string What, Exception Error)> failures)
    {
        var exit = ExitCodes.Ok;
        foreach (var (what, error) in failures.OrderBy(f => f.What, StringComparer.Ordinal))
        {
            var code = ErrorMapping.ExitCodeOf(error) ?? ExitCodes.ServerError;
            context.ReportError(error.Message, code, what);
            exit = exit == ExitCodes.Ok ? code : exit;
        }
        return exit;
    }
}
