using Dfs.Common.Configuration;

namespace Dfs.Raft.Master.Http;

/// <summary>Registers and maps a master's HTTP API: <c>/raft/status</c> and the key-value routes.</summary>
public static class MasterHttpApi
{
    public static IServiceCollection AddMasterHttpApi(this IServiceCollection services, ClusterConfig config)
    {
        services.AddSingleton(config);
        services.AddSingleton<LeaderRouting>();
        services.AddProblemDetails();
        return services;
    }

    public static IEndpointRouteBuilder MapMasterHttpApi(this IEndpointRouteBuilder routes)
    {
        routes.MapRaftStatus();
        routes.MapKvApi();
        return routes;
    }
}
