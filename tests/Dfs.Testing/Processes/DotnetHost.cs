namespace Dfs.Testing.Processes;

/// <summary>Locates the <c>dotnet</c> host executable that runs built apps.</summary>
public static class DotnetHost
{
    /// <summary>The full path of the <c>dotnet</c> executable, or <c>dotnet</c> (found on PATH) as a last resort.</summary>
    /// <remarks>
    /// Order: <c>DOTNET_HOST_PATH</c> (set by the SDK for <c>dotnet test</c> and MSBuild); the current process
    /// when it is itself <c>dotnet</c> (the test host runs as <c>dotnet testhost.dll</c>); <c>DOTNET_ROOT</c>;
    /// then PATH.
    /// </remarks>
    public static string Path { get; } = Find();

    private static string Find()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        var self = Environment.ProcessPath;
        if (self is not null && System.IO.Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return self;
        }

        var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (!string.IsNullOrEmpty(root))
        {
            var candidate = System.IO.Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return "dotnet";
    }
}
