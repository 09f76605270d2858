namespace Dfs.Cli.Demo;

/// <summary>What a timeline line is about; it picks the line's colour on a terminal.</summary>
internal enum TimelineKind
{
    Info,
    Kill,
    Elected,
    Resumed,
    Good,
    Warning,
    Bad,
}
