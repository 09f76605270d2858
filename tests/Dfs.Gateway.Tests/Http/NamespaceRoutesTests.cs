using System.Net;
using System.Net.Http.Json;
using System.Text;
using static Dfs.Gateway.Tests.Http.HttpTestExtensions;

namespace Dfs.Gateway.Tests.Http;

/// <summary>Directories, rename and locks through the gateway.</summary>
public sealed class NamespaceRoutesTests(FileGatewayFixture fixture) : IClassFixture<FileGatewayFixture>
{
    [Fact]
    public async Task Directories_AreMadeListedAndDeleted()
    {
        var dir = UniqueDir();

        using var made = await fixture.Http.PutAsync(Url($"/api/dirs{dir}/a/b"), null);
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        Assert.True((await made.JsonAsync()).GetProperty("created").GetBoolean());
        using var again = await fixture.Http.PutAsync(Url($"/api/dirs{dir}/a/b"), null);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.False((await again.JsonAsync()).GetProperty("created").GetBoolean());
        (await fixture.Http.PutFileAsync($"{dir}/a/f.txt", Content(42))).Dispose();
        using var onFile = await fixture.Http.PutAsync(Url($"/api/dirs{dir}/a/f.txt"), null);
        Assert.Equal(HttpStatusCode.Conflict, onFile.StatusCode);

        var listing = await (await fixture.Http.GetAsync(Url($"/api/dirs{dir}/a"))).JsonAsync();
        Assert.Equal($"{dir}/a", listing.GetProperty("path").GetString());
        var entries = listing.GetProperty("entries").EnumerateArray().ToArray();
        Assert.Equal(new[] { "b", "f.txt" }, entries.Select(e => e.GetProperty("name").GetString()));
        Assert.Equal(new[] { "directory", "file" }, entries.Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal(42, entries[1].GetProperty("size").GetInt64());
        Assert.Equal($"{dir}/a/f.txt", entries[1].GetProperty("path").GetString());

        var paged = await (await fixture.Http.GetAsync(Url($"/api/dirs{dir}/a?limit=1"))).JsonAsync();
        Assert.Equal("b", paged.GetProperty("next").GetString());
        var rest = await (await fixture.Http.GetAsync(Url($"/api/dirs{dir}/a?limit=1&after=b"))).JsonAsync();
        Assert.Equal("f.txt", rest.GetProperty("entries")[0].GetProperty("name").GetString());

        var root = await (await fixture.Http.GetAsync(Url("/api/dirs/"))).JsonAsync();
        Assert.Contains(root.GetProperty("entries").EnumerateArray(), e => e.GetProperty("path").GetString() == dir);

        using var notEmpty = await fixture.Http.DeleteAsync(Url($"/api/dirs{dir}/a"));
        await notEmpty.AssertProblemAsync(HttpStatusCode.Conflict, "directory-not-empty");
        using var fileHere = await fixture.Http.DeleteAsync(Url($"/api/dirs{dir}/a/f.txt"));
        await fileHere.AssertProblemAsync(HttpStatusCode.Conflict, "not-a-directory");
        using var recursive = await fixture.Http.DeleteAsync(Url($"/api/dirs{dir}/a?recursive=true"));
        Assert.Equal(HttpStatusCode.NoContent, recursive.StatusCode);
        using var gone = await fixture.Http.GetAsync(Url($"/api/dirs{dir}/a"));
        await gone.AssertProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Rename_MovesFilesAndDirectoriesAndRefusesWhatItMustNot()
    {
        var dir = UniqueDir();
        var content = Content(777);
        (await fixture.Http.PutFileAsync($"{dir}/src/f", content)).Dispose();
        (await fixture.Http.PutFileAsync($"{dir}/other", Content(1))).Dispose();

        using var moved = await fixture.Http.PostAsync(Url("/api/rename"), Json($$"""{ "from": "{{dir}}/src/f", "to": "{{dir}}/g" }"""));
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal($"{dir}/g", (await moved.JsonAsync()).GetProperty("to").GetString());
        Assert.Equal(content, await fixture.Http.GetByteArrayAsync(Url($"/api/files{dir}/g")));
        using var old = await fixture.Http.GetAsync(Url($"/api/files{dir}/src/f"));
        Assert.Equal(HttpStatusCode.NotFound, old.StatusCode);

        using var exists = await fixture.Http.PostAsync(Url("/api/rename"), Json($$"""{ "from": "{{dir}}/g", "to": "{{dir}}/other" }"""));
        await exists.AssertProblemAsync(HttpStatusCode.Conflict, "already-exists");
        using var replaced = await fixture.Http.PostAsync(Url("/api/rename"), Json($$"""{ "from": "{{dir}}/g", "to": "{{dir}}/other", "replace": true }"""));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal(content, await fixture.Http.GetByteArrayAsync(Url($"/api/files{dir}/other")));

        using var intoItself = await fixture.Http.PostAsync(Url("/api/rename"), Json($$"""{ "from": "{{dir}}/src", "to": "{{dir}}/src/deeper" }"""));
        await intoItself.AssertProblemAsync(HttpStatusCode.Conflict, "rename-into-itself");
        using var noParent = await fixture.Http.PostAsync(Url("/api/rename"), Json($$"""{ "from": "{{dir}}/src", "to": "{{dir}}/missing/x" }"""));
        await noParent.AssertProblemAsync(HttpStatusCode.NotFound, "not-found");

        using var directory = await fixture.Http.PostAsync(Url("/api/rename"), Json($$"""{ "from": "{{dir}}/src", "to": "{{dir}}/dst" }"""));
        Assert.Equal(HttpStatusCode.OK, directory.StatusCode);
        using var listed = await fixture.Http.GetAsync(Url($"/api/dirs{dir}/dst"));
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
    }

    [Fact]
    public async Task Locks_RefuseWritesWithoutTheTokenAndLetTheHolderWrite()
    {
        var path = UniqueDir() + "/locked";
        (await fixture.Http.PutFileAsync(path, Content(5, 1))).Dispose();

        using var taken = await fixture.Http.PostAsync(Url($"/api/locks{path}?owner=alice&ttl=60"), null);
        Assert.Equal(HttpStatusCode.OK, taken.StatusCode);
        var grant = await taken.JsonAsync();
        Assert.Equal("alice", grant.GetProperty("owner").GetString());
        var token = grant.GetProperty("token").GetString()!;

        var changes = fixture.Metadata.Changes;
        using var refused = await fixture.Http.PutFileAsync(path, Content(5, 2));
        await refused.AssertProblemAsync(HttpStatusCode.Locked, "locked");
        using var refusedDelete = await fixture.Http.DeleteAsync(Url("/api/files" + path));
        await refusedDelete.AssertProblemAsync(HttpStatusCode.Locked, "locked");
        Assert.Equal(changes, fixture.Metadata.Changes);

        using var other = await fixture.Http.PostAsync(Url($"/api/locks{path}?owner=bob"), null);
        var problem = await other.AssertProblemAsync(HttpStatusCode.Locked, "locked");
        Assert.Contains("alice", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var state = await (await fixture.Http.GetAsync(Url($"/api/locks{path}"))).JsonAsync();
        Assert.Equal("alice", state.GetProperty("holder").GetString());

        using var written = await fixture.Http.PutFileAsync(path, Content(5, 2), configure: r => r.Headers.Add("X-Dfs-Lock-Token", token));
        Assert.Equal(HttpStatusCode.Created, written.StatusCode);

        using var renew = new HttpRequestMessage(HttpMethod.Post, Url($"/api/locks{path}"));
        renew.Headers.Add("X-Dfs-Lock-Token", token);
        using var renewed = await fixture.Http.SendAsync(renew);
        Assert.Equal(HttpStatusCode.OK, renewed.StatusCode);

        using var release = new HttpRequestMessage(HttpMethod.Delete, Url($"/api/locks{path}"));
        release.Headers.Add("X-Dfs-Lock-Token", token);
        using var released = await fixture.Http.SendAsync(release);
        Assert.Equal(HttpStatusCode.NoContent, released.StatusCode);

        using var releaseAgain = new HttpRequestMessage(HttpMethod.Delete, Url($"/api/locks{path}"));
        releaseAgain.Headers.Add("X-Dfs-Lock-Token", token);
        using var notHeld = await fixture.Http.SendAsync(releaseAgain);
        await notHeld.AssertProblemAsync(HttpStatusCode.Conflict, "lock-not-held");

        using var free = await fixture.Http.PutFileAsync(path, Content(5, 3));
        Assert.Equal(HttpStatusCode.Created, free.StatusCode);
    }

    [Fact]
    public async Task Lock_WaitingInTheQueue_GetsTheLockWhenItIsReleased()
    {
        var path = UniqueDir() + "/queued";
        var first = await (await fixture.Http.PostAsync(Url($"/api/locks{path}?owner=first"), null)).JsonAsync();

        var waiting = fixture.Http.PostAsync(Url($"/api/locks{path}?owner=second&wait=30"), null);
        using var release = new HttpRequestMessage(HttpMethod.Delete, Url($"/api/locks{path}"));
        release.Headers.Add("X-Dfs-Lock-Token", first.GetProperty("token").GetString());
        (await fixture.Http.SendAsync(release)).Dispose();

        using var second = await waiting;
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("second", (await second.JsonAsync()).GetProperty("owner").GetString());
    }

    [Fact]
    public async Task Drain_AndUndrain_ReachTheMasters_AndWithEveryServerDrainedAnUploadIs507()
    {
        using var drain = await fixture.Http.PostAsync(Url("/api/cluster/chunkservers/c3/drain"), null);
        Assert.Equal(HttpStatusCode.Accepted, drain.StatusCode);
        var servers = await fixture.Metadata.ChunkServersAsync();
        Assert.True(servers.Servers.Single(s => s.Id == "c3").Draining);
        using var undrain = await fixture.Http.DeleteAsync(Url("/api/cluster/chunkservers/c3/drain"));
        Assert.Equal(HttpStatusCode.NoContent, undrain.StatusCode);

        foreach (var id in new[] { "c1", "c2", "c3" })
        {
            (await fixture.Http.PostAsync(Url($"/api/cluster/chunkservers/{id}/drain"), null)).Dispose();
        }
        var changes = fixture.Metadata.Changes;
        using var full = await fixture.Http.PutFileAsync(UniqueDir() + "/nowhere", Content(FileGatewayFixture.InlineBytes + 1));
        await full.AssertProblemAsync(HttpStatusCode.InsufficientStorage, "insufficient-storage");
        Assert.Equal(changes, fixture.Metadata.Changes);
        // A small file needs no chunk server: it is kept inline by the masters.
        using var small = await fixture.Http.PutFileAsync(UniqueDir() + "/inline", Content(10));
        Assert.Equal(HttpStatusCode.Created, small.StatusCode);
        foreach (var id in new[] { "c1", "c2", "c3" })
        {
            (await fixture.Http.DeleteAsync(Url($"/api/cluster/chunkservers/{id}/drain"))).Dispose();
        }
        using var written = await fixture.Http.PutFileAsync(UniqueDir() + "/somewhere", Content(10));
        Assert.Equal(HttpStatusCode.Created, written.StatusCode);

        using var unknown = await fixture.Http.PostAsync(Url("/api/cluster/chunkservers/c9/drain"), null);
        await unknown.AssertProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
