using Dfs.Client.ChunkServers;
using Dfs.Gateway.Tests.Fakes;
using Dfs.Testing.Cluster;

namespace Dfs.Gateway.Tests.Http;

/// <summary>
/// Three real chunk servers in this process, the in-memory file-system service over them, and a gateway on Kestrel with
/// 64 KiB chunks, so that bytes really go through write pipelines and reads; shared by the tests of one class.
/// </summary>
public sealed class FileGatewayFixture : IAsyncLifetime
{
    /// <summary>The chunk size the gateway cuts uploads into.</summary>
    public const int ChunkSize = 64 * 1024;

    /// <summary>Files up to this size are kept inline (small, so most tests exercise chunks).</summary>
    public const int InlineBytes = 1024;

    private DfsTestCluster? _cluster;
    private GatewayApp? _gateway;
    private InMemoryMetadataService? _metadata;

    public DfsTestCluster Cluster => _cluster!;

    internal GatewayApp Gateway => _gateway!;

    internal InMemoryMetadataService Metadata => _metadata!;

    public HttpClient Http => Gateway.Http;

    public async Task InitializeAsync()
    {
        _cluster = await DfsTestCluster.StartAsync(new DfsTestClusterOptions { Masters = 0, ChunkServers = 3 });
        _metadata = new InMemoryMetadataService([.. _cluster.ChunkServers.Select(c => new ChunkServerAddress(c.Id, "127.0.0.1", c.Port))]);
        _gateway = await GatewayApp.StartAsync(_cluster.Config with { ChunkSizeBytes = ChunkSize, InlineFileBytes = InlineBytes }, _ => _metadata);
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
