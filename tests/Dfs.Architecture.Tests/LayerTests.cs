using System.Reflection;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace Dfs.Architecture.Tests;

/// <summary>The arrows between layers and projects, pinned: they are no longer enforced by assembly boundaries alone.</summary>
public sealed class LayerTests
{
    private static readonly Assembly[] Product = ProductAssemblies.All;

    private static readonly ArchUnitNET.Domain.Architecture Dfs = new ArchLoader().LoadAssemblies(Product).Build();

    private static readonly string[] Executables = ["Dfs.Raft", "Dfs.ChunkServer", "Dfs.Gateway"];

    [Fact]
    public void Consensus_KnowsNothingOfTheStoreTheMasterOrTheFileSystem() =>
        Types().That().ResideInNamespaceMatching(@"^Dfs\.Raft\.Consensus(\..*)?$")
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(@"^Dfs\.(Raft\.(Kv|Master|Metadata)|Client|ChunkServer|Gateway|Common\.Configuration)(\..*)?$"))
            .Because("the Raft engine is a library that knows nothing of the DFS")
            .Check(Dfs);

    [Fact]
    public void KeyValueStore_DoesNotReachUpIntoTheMasterOrTheMetadata() =>
        Types().That().ResideInNamespaceMatching(@"^Dfs\.Raft\.Kv(\..*)?$")
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(@"^Dfs\.Raft\.(Master|Metadata)(\..*)?$"))
            .Check(Dfs);

    [Fact]
    public void ServerSideProtocolHandlers_UseTheContracts_NotTheClients() =>
        Types().That().ResideInNamespaceMatching(@"^Dfs\.(Raft\.Master\.Protocol|ChunkServer\.Pipeline)(\..*)?$")
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(@"^Dfs\.Client\.Master$")
                .Or().HaveFullNameMatching(@"^Dfs\.Client\.Chunks\.(ChunkWriteClient|ChunkReadClient|ChunkServerClient|PipelineWrite)$"))
            .Check(Dfs);

    [Fact]
    public void DotNext_IsUsedOnlyByTheMastersSecondConsensusBackend() =>
        Types().That().ResideInNamespaceMatching(@"^Dfs\.(?!Raft\.DotNext(\.|$)).*")
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(@"^DotNext(\..*)?$"))
            .Because("one seam (IMasterKv) separates the consensus backends; everything above it works on either")
            .Check(WithDotNext.Value);

    // DotNext's own assemblies are loaded too, so that a dependency on one of their types is seen.
    private static readonly Lazy<ArchUnitNET.Domain.Architecture> WithDotNext = new(() => new ArchLoader()
        .LoadAssemblies([.. Product, Assembly.Load("DotNext"), Assembly.Load("DotNext.IO"), Assembly.Load("DotNext.Net.Cluster")]).Build());

    [Fact]
    public void CommonLibrary_DependsOnNoOtherDfsCode() =>
        Types().That().ResideInNamespaceMatching(@"^Dfs\.Common(\..*)?$")
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(@"^Dfs\.(?!Common(\.|$)).*"))
            .Check(Dfs);

    [Fact]
    public void ClientLibrary_DependsOnNoServer() =>
        Types().That().ResideInNamespaceMatching(@"^Dfs\.Client(\..*)?$")
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(@"^Dfs\.(Raft|ChunkServer|Gateway|Hosting)(\..*)?$"))
            .Check(Dfs);

    [Theory]
    [InlineData("Dfs.Common")]
    [InlineData("Dfs.Client")]
    public void BottomLibraries_DoNotReferenceAspNetCore(string name)
    {
        var assembly = Product.Single(a => a.GetName().Name == name);
        var aspNet = assembly.GetReferencedAssemblies().Where(r => r.Name!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)).ToArray();
        Assert.True(aspNet.Length == 0, $"{name} references {string.Join(", ", aspNet.Select(r => r.Name))}; the CLI and the clients must not need ASP.NET Core");
    }

    [Fact]
    public void NoProductAssembly_ReferencesAnExecutable()
    {
        var offenders = Product
            .SelectMany(a => a.GetReferencedAssemblies().Where(r => Executables.Contains(r.Name)).Select(r => $"{a.GetName().Name} → {r.Name}"))
            .ToArray();
        Assert.True(offenders.Length == 0, $"an executable is a thin host; share a library instead: {string.Join("; ", offenders)}");
    }
}
