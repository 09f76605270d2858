using System.CommandLine;

namespace Dfs.Cli.Commands;

/// <summary>The <c>-j N</c> option of put and get: how many files move at once.</summary>
internal static class ParallelismOption
{
    public const int Default = 4;

    public const int Max = 64;

    public static Option<int> Create()
    {
        var option = new Option<int>("--parallel", "-j")
        {
            Description = $"Files transferred at once, 1..{Max}",
            HelpName = "N",
            DefaultValueFactory = _ => Default,
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > Max)
            {
                result.AddError($"-j must be between 1 and {Max}");
            }
        });
        return option;
    }
}
