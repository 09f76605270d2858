namespace Dfs.Cli.Gateway.Contracts;

/// <summary>The answer to <c>PUT /api/dirs/{path}</c>; <see cref="Created"/> is false when the directory already existed.</summary>
public sealed record DirectoryCreated(string Path, bool Created);
