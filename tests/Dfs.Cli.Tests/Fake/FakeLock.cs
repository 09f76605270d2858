namespace Dfs.Cli.Tests.Fake;

/// <summary>A held lock in the fake gateway.</summary>
internal sealed record FakeLock(string Owner, string Token, DateTimeOffset Expires);
