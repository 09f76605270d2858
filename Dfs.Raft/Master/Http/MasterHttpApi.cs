using Dfs.Common.Configuration;
using Microsoft.AspNetCore.Diagnostics;

namespace Dfs.Raft.Master.Http;

/// <summary>Registers and maps a master's HTTP API: <c>/raft/status</c> and the key-value routes.</summary>
public static class MasterHttpApi
{
    public static IServiceCollection AddMasterHttpApi(this IServiceCollection services, ClusterConfig config)
    {
        services.AddSingleton(config);
        services.AddSingleton<LeaderRouting>();
        services.AddProblemDetails();
        services.AddExceptionHandler<MasterExceptionHandler>();
        return services;
    }

    public static WebApplication MapMasterHttpApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Every failure of a route is answered once, by MasterExceptionHandler; a handled one is not logged again here.
        app.UseExceptionHandler(new ExceptionHandlerOptions { SuppressDiagnosticsCallback = context => context.ExceptionHandledBy == ExceptionHandledType.ExceptionHandlerService });
        app.MapRaftStatus();
        app.MapKvApi();
        return app;
    }
}
