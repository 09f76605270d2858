namespace Dfs.Gateway;

internal static class Program
{
    public static int Main()
    {
        Console.Error.WriteLine("This process is not built yet; see README.md for what runs.");
        return 1;
    }
}
