using Prometheus;

namespace Dfs.Hosting.Metrics;

/// <summary>
/// One node's metrics: a registry of its own (several nodes share a process in the in-process test cluster, so the
/// library's static default registry would mix them), with the .NET runtime and process collectors, served in the
/// Prometheus text format at <c>/metrics</c>.
/// </summary>
public sealed class NodeMetrics
{
    public NodeMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        Factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        DotNetStats.Register(Registry);
    }

    /// <summary>The registry scraped at <c>/metrics</c>.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Creates this node's counters, gauges and histograms.</summary>
    public IMetricFactory Factory { get; }

    /// <summary>Runs <paramref name="refresh"/> before every scrape: gauges read from the node's state are set there, so nothing polls in between.</summary>
    public void BeforeScrape(Action refresh) => Registry.AddBeforeCollectCallback(refresh);
}
