namespace Dfs.Cli.Gateway.Contracts;

/// <summary>The answer to <c>POST /api/cluster/nodes/{id}/start</c>: the node started again and its new process id.</summary>
public sealed record NodeStarted(string Id, int Pid);
