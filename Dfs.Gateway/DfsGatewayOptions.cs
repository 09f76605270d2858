using Dfs.Client.Metadata;

namespace Dfs.Gateway;

/// <summary>How <see cref="GatewayServiceCollectionExtensions.AddDfsGateway"/> composes a gateway.</summary>
public sealed record DfsGatewayOptions
{
    /// <summary>
    /// Whether the gateway starts every master and chunk server of the config as child processes (local mode) and
    /// stops them when it stops. Default true; <c>--no-launch</c> turns it off for a cluster that already runs.
    /// </summary>
    public bool Launch { get; init; } = true;

    /// <summary>The config file the launched nodes read (their <c>--config</c>); required when <see cref="Launch"/> is true.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>How long the launched nodes have to print their ready lines before the gateway gives up. Default 60 s.</summary>
    public TimeSpan LaunchTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Where the launched nodes' output goes, each line prefixed with the node's id. Default the console.</summary>
    public TextWriter? NodeOutput { get; init; }

    /// <summary>
    /// Starts one launched node: (id, true for a master) → the child. Default null: the built <c>Dfs.Raft</c> or
    /// <c>Dfs.ChunkServer</c> beside the gateway (tests hand in stand-in processes).
    /// </summary>
    public Func<string, bool, Launcher.ChildNode>? StartNode { get; init; }

    /// <summary>
    /// Makes the file-system service the routes call (tests hand in an in-memory one). Default null: the masters' service
    /// over the gateway's <see cref="Dfs.Client.Master.MasterClient"/>.
    /// </summary>
    public Func<IServiceProvider, IMetadataService>? Metadata { get; init; }
}
