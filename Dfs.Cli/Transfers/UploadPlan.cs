using Dfs.Cli.Gateway;

namespace Dfs.Cli.Transfers;

/// <summary>One file to upload; <see cref="LocalPath"/> "-" is standard input.</summary>
internal sealed record UploadJob(string LocalPath, string RemotePath, long? Length)
{
    public bool IsStandardInput => LocalPath == UploadPlan.StandardInput;
}

/// <summary>What <c>dfs put</c> will do, worked out and checked before the first byte moves.</summary>
/// <param name="Directories">Remote directories to create because nothing inside them creates them (empty local directories).</param>
internal sealed record UploadPlan(IReadOnlyList<UploadJob> Files, IReadOnlyList<string> Directories)
{
    /// <summary>The source name that means standard input.</summary>
    public const string StandardInput = "-";

    public long TotalBytes => Files.Sum(f => f.Length ?? 0);

    /// <summary>
    /// Maps local sources to remote paths the way <c>cp -r</c> does: into <paramref name="destinationInput"/> when it is an
    /// existing directory, ends with '/', or several sources are given; onto it otherwise.
    /// </summary>
    /// <exception cref="CliException">A source is missing (exit 7) or the destination does not fit (exit 1 or 3).</exception>
    public static async Task<UploadPlan> BuildAsync(GatewayClient gateway, IReadOnlyList<string> sources, string destinationInput, CancellationToken cancellationToken)
    {
        var destination = Gateway.RemotePath.Normalize(destinationInput);
        foreach (var source in sources)
        {
            if (source == StandardInput ? sources.Count > 1 : !File.Exists(source) && !Directory.Exists(source))
            {
                throw source == StandardInput
                    ? CliException.Usage("'-' (standard input) is the only source when given")
                    : CliException.Local($"{source}: no such local file or directory");
            }
        }

        var target = await Lookup.FindAsync(gateway, destination, cancellationToken);
        var into = target?.IsDirectory == true || Gateway.RemotePath.NamesDirectory(destinationInput) || sources.Count > 1;
        if (target is { IsDirectory: false } && (into || sources.Any(Directory.Exists)))
        {
            throw new CliException(ExitCodes.Conflict, $"{destination} is a file, not a directory");
        }
        if (sources[0] == StandardInput && (into || destination == Gateway.RemotePath.Root))
        {
            throw CliException.Usage("standard input goes to a file path, not a directory");
        }

        var files = new List<UploadJob>();
        var directories = new List<string>();
        foreach (var source in sources)
        {
            if (source == StandardInput)
            {
                files.Add(new UploadJob(source, destination, null));
            }
            else if (File.Exists(source))
            {
                files.Add(new UploadJob(source, into ? Gateway.RemotePath.Combine(destination, Path.GetFileName(source)) : destination, new FileInfo(source).Length));
            }
            else
            {
                var root = into ? Gateway.RemotePath.Combine(destination, LocalName(source)) : destination;
                AddDirectory(source, root, files, directories);
            }
        }
        return new UploadPlan(files, directories);
    }

    private static void AddDirectory(string source, string root, List<UploadJob> files, List<string> directories)
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = false,
            AttributesToSkip = 0,
            ReturnSpecialDirectories = false,
        };
        try
        {
            foreach (var file in Directory.EnumerateFiles(source, "*", options))
            {
                files.Add(new UploadJob(file, Under(root, Path.GetRelativePath(source, file)), new FileInfo(file).Length));
            }
            if (!Directory.EnumerateFileSystemEntries(source).Any())
            {
                directories.Add(root);
            }
            foreach (var directory in Directory.EnumerateDirectories(source, "*", options))
            {
                if (!Directory.EnumerateFileSystemEntries(directory).Any())
                {
                    directories.Add(Under(root, Path.GetRelativePath(source, directory)));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CliException.Local($"cannot read {source}: {e.Message}", e);
        }
    }

    private static string Under(string root, string relative)
    {
        var path = root;
        foreach (var segment in relative.Split(Path.DirectorySeparatorChar))
        {
            path = Gateway.RemotePath.Combine(path, segment);
        }
        return path;
    }

    // The name a directory source has, also for "." and "dir/".
    private static string LocalName(string source) => Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(source)));
}
