using System.Net;
using Dfs.Client.Master.Protocol;
using Dfs.Raft.Consensus.Hosting;
using Dfs.Raft.Master;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Dfs.Testing.Cluster;

/// <summary>One master of a <see cref="DfsTestCluster"/>: what survives a restart (folder, ports) and the running host.</summary>
public sealed class TestMaster
{
    internal TestMaster(string id, TestDirectory directory)
    {
        Id = id;
        Directory = directory;
    }

    public string Id { get; }

    /// <summary>The node's own folder; its data folder is <c>{Directory}/{Id}</c>.</summary>
    public TestDirectory Directory { get; }

    /// <summary>The Raft port (peers and clients); 0 before the first start.</summary>
    public int RaftPort { get; internal set; }

    /// <summary>The HTTP API port; 0 before the first start.</summary>
    public int ApiPort { get; internal set; }

    public bool IsRunning => App is not null;

    /// <summary>Whether the cluster drops every Raft message between this master and the others.</summary>
    public bool IsPartitioned { get; internal set; }

    internal WebApplication? App { get; set; }

    /// <summary>The running master's services.</summary>
    /// <exception cref="InvalidOperationException">The master is down.</exception>
    public IServiceProvider Services => App?.Services ?? throw new InvalidOperationException($"Master {Id} is down.");

    /// <summary>The master's key-value store, as its APIs use it.</summary>
    public IMasterKv Kv => Services.GetRequiredService<IMasterKv>();

    /// <summary>The master's view of the chunk servers, built from their heartbeats.</summary>
    public Raft.ChunkServers.IChunkServerDirectory ChunkServers => Services.GetRequiredService<Raft.ChunkServers.IChunkServerDirectory>();

    /// <summary>The master's Raft host.</summary>
    public RaftHost Raft => Services.GetRequiredService<RaftHost>();

    public MasterStatus Status => Kv.Status;

    public IPEndPoint RaftEndPoint => new(IPAddress.Loopback, RaftPort);

    public Uri ApiAddress => new($"http://127.0.0.1:{ApiPort}");

    public override string ToString() => App is null
        ? $"{Id}: down"
        : $"{Id}: {Status.Role} t{Status.Term} leader={Status.LeaderId} commit={Status.CommitIndex} applied={Status.AppliedIndex}" +
            $" last={Status.LastLogIndex}{(IsPartitioned ? " (partitioned)" : "")}";
}
