using Dfs.Client.Chunks.Protocol;
using Dfs.Client.Files;
using Dfs.Client.Master.Protocol;
using Dfs.Client.Metadata;
using Dfs.Gateway.Http;

namespace Dfs.Gateway.Tests.Http;

/// <summary>The one mapping of the layers' errors to problem details.</summary>
public sealed class ProblemsTests
{
    public static TheoryData<Exception, int, string> Cases() => new()
    {
        { new MetadataException(MetadataErrorCode.InvalidPath, "p"), 400, "invalid-path" },
        { new MetadataException(MetadataErrorCode.InvalidArgument, "p"), 400, "invalid-argument" },
        { new MetadataException(MetadataErrorCode.NotFound, "p"), 404, "not-found" },
        { new MetadataException(MetadataErrorCode.AlreadyExists, "p"), 409, "already-exists" },
        { new MetadataException(MetadataErrorCode.NotADirectory, "p"), 409, "not-a-directory" },
        { new MetadataException(MetadataErrorCode.IsADirectory, "p"), 409, "is-a-directory" },
        { new MetadataException(MetadataErrorCode.DirectoryNotEmpty, "p"), 409, "directory-not-empty" },
        { new MetadataException(MetadataErrorCode.Conflict, "p"), 409, "conflict" },
        { new MetadataException(MetadataErrorCode.Locked, "p"), 423, "locked" },
        { new MetadataException(MetadataErrorCode.VersionNotFound, "p"), 404, "version-not-found" },
        { new MetadataException(MetadataErrorCode.LockNotHeld, "p"), 409, "lock-not-held" },
        { new MetadataException(MetadataErrorCode.LeaseNotFound, "p"), 409, "lock-not-held" },
        { new MetadataException(MetadataErrorCode.RenameIntoItself, "p"), 409, "rename-into-itself" },
        { new ChunkServerException(ChunkErrorCode.DiskFull, "p"), 507, "insufficient-storage" },
        { new ChunkServerException(ChunkErrorCode.Unreachable, "p"), 503, "unavailable" },
        { new InsufficientStorageException("p"), 507, "insufficient-storage" },
        { new MasterException(MasterErrorCode.NoLeader, "p"), 503, "no-leader" },
        { new MasterException(MasterErrorCode.NotLeader, "p", "m2"), 503, "no-leader" },
        { new MasterException(MasterErrorCode.Unavailable, "p"), 503, "unavailable" },
        { new IncompleteContentException("p"), 400, "invalid-argument" },
        { new TimeoutException("p"), 503, "unavailable" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Problems_MapEachFailureToItsStatusAndType(Exception exception, int status, string slug)
    {
        var (problem, headers) = Problems.From(exception) ?? throw new InvalidOperationException($"{exception.GetType().Name} is not mapped.");

        Assert.Equal(status, problem.Status);
        Assert.Equal(Problems.TypeBase + slug, problem.Type);
        Assert.False(string.IsNullOrEmpty(problem.Detail));
        Assert.Equal(status == 503, headers.ContainsKey("Retry-After"));
    }

    [Fact]
    public void Problems_LeaveUnknownFailuresToThe500Handler() => Assert.Null(Problems.From(new InvalidOperationException("bug")));
}
