namespace Dfs.Cli.Gateway;

/// <summary>The gateway could not be reached, or the connection broke before the exchange completed.</summary>
public sealed class GatewayUnreachableException : Exception
{
    public GatewayUnreachableException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
