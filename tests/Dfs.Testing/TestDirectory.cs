namespace Dfs.Testing;

/// <summary>A fresh, uniquely named temporary folder for one test, deleted with everything in it on <see cref="Dispose"/>.</summary>
/// <remarks>
/// Folders live under <c>{temp}/dfs-tests/</c>. Set the environment variable <c>DFS_KEEP_TEST_DIRS=1</c>
/// to keep them after the test for inspection.
/// </remarks>
public sealed class TestDirectory : IDisposable
{
    private TestDirectory(string path)
    {
        Path = path;
    }

    /// <summary>The absolute path of the folder.</summary>
    public string Path { get; }

    /// <summary>Creates a new empty folder whose name starts with <paramref name="prefix"/>.</summary>
    public static TestDirectory Create(string prefix = "test")
    {
        var root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dfs-tests");
        var path = System.IO.Path.Combine(root, $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return new TestDirectory(path);
    }

    /// <summary>The path of <paramref name="parts"/> inside this folder (nothing is created).</summary>
    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Creates (if needed) a subfolder and returns its path.</summary>
    public string CreateSubdirectory(params string[] parts) => Directory.CreateDirectory(Combine(parts)).FullName;

    /// <summary>Deletes the folder and its contents, unless <c>DFS_KEEP_TEST_DIRS=1</c>.</summary>
    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("DFS_KEEP_TEST_DIRS") == "1")
        {
            return;
        }

        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone: the test removed it itself.
        }
    }

    /// <inheritdoc />
    public override string ToString() => Path;
}
