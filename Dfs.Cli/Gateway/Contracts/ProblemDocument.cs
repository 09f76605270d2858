namespace Dfs.Cli.Gateway.Contracts;

/// <summary>An RFC 7807 <c>application/problem+json</c> body, as every gateway error is sent.</summary>
public sealed record ProblemDocument(string? Type, string? Title, int? Status, string? Detail);
