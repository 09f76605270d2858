namespace Dfs.Gateway.Launcher;

/// <summary>The launched nodes did not all become ready: one is missing beside the gateway, exited, or was too slow.</summary>
public sealed class LocalClusterStartException(string message, Exception innerException) : Exception(message, innerException);
