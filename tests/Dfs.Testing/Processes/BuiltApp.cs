namespace Dfs.Testing.Processes;

/// <summary>Finds the dll of a built app of this solution, to start it with <see cref="NodeProcess.StartDotnetApp"/>.</summary>
/// <remarks>
/// <para>
/// The robust way to have an app built and at hand is a <c>ProjectReference</c> from the test project to the
/// app's project: the build then compiles the app first and the SDK copies its <c>Name.dll</c>,
/// <c>Name.runtimeconfig.json</c> and <c>Name.deps.json</c> (and apphost) into the test output folder, so
/// <c>dotnet Name.dll</c> runs there with the app's own framework references (ASP.NET Core for the Web SDK
/// apps) and its own dependency list. <see cref="PathOf"/> looks there first.
/// </para>
/// <para>
/// When the app is not beside the test assembly, it falls back to the app project's own output folder of the
/// same configuration and target framework (found by walking up to <c>Dfs.sln</c>, then
/// <c>{root}/{Name}/bin/{Configuration}/{tfm}/</c> or <c>{root}/tests/{Name}/bin/…</c>); that copy may be stale
/// if the app was not rebuilt, which is why the reference is preferred.
/// </para>
/// </remarks>
public static class BuiltApp
{
    /// <summary>The full path of <c>{appName}.dll</c>, ready to run with <c>dotnet</c>.</summary>
    /// <param name="appName">The assembly name, e.g. <c>Dfs.ChunkServer</c>.</param>
    /// <exception cref="FileNotFoundException">The app is neither beside the test assembly nor in its project's output.</exception>
    public static string PathOf(string appName)
    {
        ArgumentException.ThrowIfNullOrEmpty(appName);
        var baseDirectory = AppContext.BaseDirectory;
        var besideTests = Path.Combine(baseDirectory, appName + ".dll");
        if (IsRunnable(besideTests))
        {
            return besideTests;
        }

        var searched = new List<string> { besideTests };
        var outputDirectory = new DirectoryInfo(baseDirectory);
        var targetFramework = outputDirectory.Name;
        var configuration = outputDirectory.Parent?.Name;
        var root = FindSolutionRoot(baseDirectory);
        if (root is not null && configuration is not null)
        {
            foreach (var projectFolder in new[] { Path.Combine(root, appName), Path.Combine(root, "tests", appName) })
            {
                var candidate = Path.Combine(projectFolder, "bin", configuration, targetFramework, appName + ".dll");
                searched.Add(candidate);
                if (IsRunnable(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException(
            $"Built app {appName} not found (with its runtimeconfig.json). Add a ProjectReference to {appName}.csproj in the test project. Looked at: {string.Join(", ", searched)}",
            besideTests);
    }

    private static bool IsRunnable(string dllPath) =>
        File.Exists(dllPath) && File.Exists(Path.ChangeExtension(dllPath, ".runtimeconfig.json"));

    private static string? FindSolutionRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Dfs.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}
