namespace Dfs.Cli.Gateway.Contracts;

/// <summary>The answer to <c>POST /api/rename</c>.</summary>
public sealed record RenameResult(string From, string To);
