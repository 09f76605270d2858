using System.CommandLine;

namespace Dfs.Cli.Commands;

/// <summary>The <c>--version N</c> option of get, cat and stat (a kept version of the file).</summary>
internal static class FileVersionOption
{
    public static Option<long?> Create()
    {
        var option = new Option<long?>("--version") { Description = "A kept version instead of the newest (see dfs versions)", HelpName = "N" };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<long?>() is < 1)
            {
                result.AddError("--version must be at least 1");
            }
        });
        return option;
    }
}
