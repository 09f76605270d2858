namespace Dfs.Cli;

/// <summary>An error the command line itself finds (bad arguments, a local file missing), with the exit code it means.</summary>
public sealed class CliException : Exception
{
    public CliException(int exitCode, string message, Exception? inner = null)
        : base(message, inner)
    {
        ExitCode = exitCode;
    }

    /// <summary>One of <see cref="ExitCodes"/>.</summary>
    public int ExitCode { get; }

    /// <summary>A usage error (exit 1).</summary>
    public static CliException Usage(string message) => new(ExitCodes.Usage, message);

    /// <summary>A local I/O error (exit 7).</summary>
    public static CliException Local(string message, Exception? inner = null) => new(ExitCodes.LocalIo, message, inner);
}
