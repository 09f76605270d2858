using Dfs.Cli.Gateway;

namespace Dfs.Cli.Transfers;

/// <summary>One file to download to <see cref="LocalPath"/>.</summary>
internal sealed record DownloadJob(string RemotePath, string LocalPath, long Length);

/// <summary>What <c>dfs get</c> will do, worked out (remote sources found, local destination checked) before the first byte moves.</summary>
/// <param name="Directories">Local directories to create, empty remote directories included.</param>
internal sealed record DownloadPlan(IReadOnlyList<DownloadJob> Files, IReadOnlyList<string> Directories)
{
    public long TotalBytes => Files.Sum(f => f.Length);

    /// <summary>
    /// Maps remote sources to local paths the way <c>cp -r</c> does: into <paramref name="destination"/> when it is an
    /// existing directory, ends with a separator, or several sources are given; onto it otherwise.
    /// </summary>
    public static async Task<DownloadPlan> BuildAsync(GatewayClient gateway, IReadOnlyList<string> sources, string destination, bool singleFileOnly, CancellationToken cancellationToken)
    {
        var found = new List<Gateway.Contracts.FileMetadata>();
        foreach (var source in sources)
        {
            found.Add(await Lookup.GetAsync(gateway, source, cancellationToken));
        }
        if (singleFileOnly && (found.Count > 1 || found[0].IsDirectory))
        {
            throw CliException.Usage("--version takes one file");
        }

        var into = Directory.Exists(destination) || Path.EndsInDirectorySeparator(destination) || destination.EndsWith('/') || found.Count > 1;
        if (into && File.Exists(destination))
        {
            throw CliException.Local($"{destination} is a file, not a directory");
        }
        var files = new List<DownloadJob>();
        var directories = new List<string>();
        if (into)
        {
            directories.Add(destination);
        }
        foreach (var meta in found)
        {
            var local = into ? Path.Combine(destination, RemotePath.NameOf(meta.Path)) : destination;
            if (!meta.IsDirectory)
            {
                if (Directory.Exists(local))
                {
                    throw CliException.Local($"{local} is a directory");
                }
                files.Add(new DownloadJob(meta.Path, local, meta.Size));
                continue;
            }
            if (File.Exists(local))
            {
                throw CliException.Local($"{local} is a file, not a directory");
            }
            directories.Add(local);
            await AddDirectoryAsync(gateway, meta.Path, local, files, directories, cancellationToken);
        }
        return new DownloadPlan(files, directories);
    }

    private static async Task AddDirectoryAsync(GatewayClient gateway, string remote, string local, List<DownloadJob> files, List<string> directories, CancellationToken cancellationToken)
    {
        await foreach (var entry in gateway.ListDirectoryAllAsync(remote, cancellationToken: cancellationToken))
        {
            var path = Path.Combine(local, entry.Name);
            if (entry.IsDirectory)
            {
                directories.Add(path);
                await AddDirectoryAsync(gateway, entry.Path, path, files, directories, cancellationToken);
            }
            else
            {
                files.Add(new DownloadJob(entry.Path, path, entry.Size));
            }
        }
    }
}
