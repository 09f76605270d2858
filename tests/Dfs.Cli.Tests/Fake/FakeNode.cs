namespace Dfs.Cli.Tests.Fake;

/// <summary>One kept version of a file in the fake gateway.</summary>
internal sealed record FakeVersion(long Number, byte[] Data, string Etag, DateTimeOffset Modified, string ContentType);

/// <summary>A file (its versions, oldest first) or a directory in the fake gateway's namespace.</summary>
internal sealed class FakeNode
{
    private FakeNode(bool isDirectory, DateTimeOffset modified)
    {
        IsDirectory = isDirectory;
        Modified = modified;
    }

    public bool IsDirectory { get; }

    public DateTimeOffset Modified { get; set; }

    public List<FakeVersion> Versions { get; } = [];

    public FakeVersion Latest => Versions[^1];

    public static FakeNode Directory(DateTimeOffset now) => new(true, now);

    public static FakeNode File(DateTimeOffset now) => new(false, now);
}
