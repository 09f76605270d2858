namespace Dfs.Cli.Demo;

/// <summary>One line of the demo's timeline.</summary>
/// <param name="AtMs">When it happened, in ms since the demo started.</param>
/// <param name="SinceKillMs">Ms since the last SIGKILL of the phase it belongs to; null before the first kill of a phase.</param>
/// <param name="Kind">What it is about.</param>
/// <param name="Text">A plain sentence.</param>
internal sealed record TimelineEvent(long AtMs, long? SinceKillMs, TimelineKind Kind, string Text);
