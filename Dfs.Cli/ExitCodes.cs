namespace Dfs.Cli;

/// <summary>What <c>dfs</c> exits with; scripts branch on these (see README and <c>dfs --help</c>).</summary>
public static class ExitCodes
{
    /// <summary>Everything asked was done.</summary>
    public const int Ok = 0;

    /// <summary>Bad arguments, an invalid path, or input the gateway rejected (400).</summary>
    public const int Usage = 1;

    /// <summary>No such file, directory or version (404).</summary>
    public const int NotFound = 2;

    /// <summary>Already exists, not empty, is or is not a directory, lock not held, precondition failed (409, 412).</summary>
    public const int Conflict = 3;

    /// <summary>The path is locked by someone else, or a lock wait timed out (423).</summary>
    public const int Locked = 4;

    /// <summary>The gateway is unreachable, has no leader, or the connection broke (503, refused, reset).</summary>
    public const int Unavailable = 5;

    /// <summary>Any other error the server reported (500, 507, …), or one nobody expected.</summary>
    public const int ServerError = 6;

    /// <summary>A local file could not be read or written.</summary>
    public const int LocalIo = 7;

    /// <summary>Interrupted (Ctrl+C).</summary>
    public const int Interrupted = 130;

    /// <summary>The table printed by <c>dfs --help</c> and kept in README.</summary>
    public const string Table =
        """
        Exit codes:
          0  ok
          1  usage error (bad arguments, invalid path, input rejected with 400)
          2  not found (404)
          3  conflict: exists, not empty, is/is not a directory, lock not held, precondition failed (409, 412)
          4  locked (423)
          5  unavailable: no leader, connection refused, network error (503)
          6  other error (server error 500, 507, ...; or an unexpected one)
          7  local I/O error
        """;
}
