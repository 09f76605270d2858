using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Prometheus;

namespace Dfs.Hosting.Metrics;

/// <summary>Wires a node's <see cref="NodeMetrics"/> into ASP.NET Core.</summary>
public static class MetricsEndpoints
{
    /// <summary>Registers this node's <see cref="NodeMetrics"/> (once).</summary>
    public static IServiceCollection AddNodeMetrics(this IServiceCollection services)
    {
        services.TryAddSingleton<NodeMetrics>();
        return services;
    }

    /// <summary>Counts requests and their durations per route and status code (prometheus-net's HTTP middleware, into this node's registry).</summary>
    /// <remarks>Call after routing is set up so the route template, not the raw path, labels a request.</remarks>
    public static IApplicationBuilder UseNodeHttpMetrics(this IApplicationBuilder app)
    {
        var metrics = app.ApplicationServices.GetRequiredService<NodeMetrics>();
        return app.UseHttpMetrics(options => options.SetMetricFactory(metrics.Factory));
    }

    /// <summary>Serves this node's metrics at <c>/metrics</c> in the Prometheus text format.</summary>
    public static IEndpointConventionBuilder MapNodeMetrics(this IEndpointRouteBuilder endpoints)
    {
        var metrics = endpoints.ServiceProvider.GetRequiredService<NodeMetrics>();
        return endpoints.MapMetrics("/metrics", metrics.Registry);
    }
}
