using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Dfs.Testing;
using Dfs.Testing.Processes;

namespace Dfs.Cluster.Tests.EndToEnd;

/// <summary>
/// Chunk servers whose disks are really full: each keeps its data on a small tmpfs the test mounts (it runs as root) and
/// unmounts after the processes are gone.
/// </summary>
public sealed class DiskFullProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private const int DiskMiB = 6;

    [Fact]
    public async Task Upload_LargerThanTheChunkServersDisks_Answers507_LeavesNoFile_AndEarlierFilesStillRead()
    {
        var mounted = new List<string>();
        DfsProcessCluster? cluster = null;
        try
        {
            cluster = await DfsProcessCluster.StartAsync(nameof(DiskFullProcessTests), new DfsProcessClusterOptions
            {
                ChunkServers = 3,
                Configure = config =>
                {
                    foreach (var server in config.ChunkServers)
                    {
                        var folder = config.DataDirectoryFor(server.Id);
                        Directory.CreateDirectory(folder);
                        Run("mount", "-t", "tmpfs", "-o", $"size={DiskMiB}m", "tmpfs", folder);
                        mounted.Add(folder);
                    }
                    return config;
                },
            });
            using var http = new HttpClient { BaseAddress = cluster.GatewayAddress, Timeout = Timeout };
            var chunk = (int)cluster.Config.ChunkSizeBytes;
            var earlier = RandomBytes((2 * chunk) + 5, seed: 1);
            await WaitUntilWrittenAsync(http, cluster, "kept/earlier.bin", earlier);

            var tooBig = RandomBytes(4 * DiskMiB * 1024 * 1024, seed: 2);
            using var put = await http.PutAsync(new Uri("/api/files/full/too-big.bin", UriKind.Relative), Binary(tooBig));

            var body = await put.Content.ReadAsStringAsync();
            Assert.True(put.StatusCode == HttpStatusCode.InsufficientStorage, $"PUT of {tooBig.Length} B: {put.StatusCode} {body}{Environment.NewLine}{cluster.Logs()}");
            Assert.Equal("application/problem+json", put.Content.Headers.ContentType?.MediaType);
            using (var problem = JsonDocument.Parse(body))
            {
                Assert.EndsWith("/insufficient-storage", problem.RootElement.GetProperty("type").GetString(), StringComparison.Ordinal);
                Assert.Contains("out of space", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }
            using (var missing = await http.GetAsync(new Uri("/api/meta/full/too-big.bin", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            }
            using (var listing = await http.GetAsync(new Uri("/api/files?prefix=/full", UriKind.Relative)))
            {
                Assert.DoesNotContain("too-big", await listing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
            var read = await http.GetByteArrayAsync(new Uri("/api/files/kept/earlier.bin", UriKind.Relative));
            Assert.True(earlier.AsSpan().SequenceEqual(read), $"the earlier file came back as {read.Length} B that differ");
        }
        finally
        {
            if (cluster is not null)
            {
                // The mounts are busy while a chunk server holds files on them.
                foreach (var id in cluster.ChunkServerIds.Where(cluster.IsRunning).ToArray())
                {
                    await cluster.KillAsync(id);
                }
            }
            foreach (var folder in mounted)
            {
                Run("umount", folder);
            }
            if (cluster is not null)
            {
                await cluster.DisposeAsync();
            }
        }
    }

    /// <summary>Writes a chunked file once the chunk servers have registered with the leader (a first write may find none yet).</summary>
    private static async Task WaitUntilWrittenAsync(HttpClient http, DfsProcessCluster cluster, string path, byte[] data)
    {
        var last = "";
        await Eventually.WaitUntilAsync(async () =>
        {
            using var response = await http.PutAsync(new Uri($"/api/files/{path}", UriKind.Relative), Binary(data));
            last = $"{response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            return response.StatusCode == HttpStatusCode.Created;
        }, Timeout, () => last + Environment.NewLine + cluster.Logs(), $"a first chunked write of {path} through the gateway", TimeSpan.FromMilliseconds(200));
    }

    private static void Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true, UseShellExecute = false })
            ?? throw new InvalidOperationException($"Could not start {program}.");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {error}");
        }
    }

    private static byte[] RandomBytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static ByteArrayContent Binary(byte[] data)
    {
        var content = new ByteArrayContent(data);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }
}
