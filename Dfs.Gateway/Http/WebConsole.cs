using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace Dfs.Gateway.Http;

/// <summary>
/// The web console at <c>/</c>: the HTML, CSS and JavaScript of <c>Dfs.Gateway/WebConsole</c>, embedded in the gateway's
/// assembly so that it is served whatever folder the gateway runs from, with nothing to build and nothing loaded from
/// elsewhere. It calls only the public REST API.
/// </summary>
public static class WebConsole
{
    /// <summary>The manifest-name prefix of the embedded files (root namespace plus folder).</summary>
    private const string ResourcePrefix = "Dfs.Gateway.WebConsole";

    /// <summary>
    /// Everything the console loads comes from the gateway itself; scripts and styles only from files (no inline code), so an
    /// injected file or folder name can never run as script.
    /// </summary>
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    /// <summary>The console's files, as the static-file middleware serves them.</summary>
    public static IFileProvider Files { get; } = new EmbeddedFileProvider(typeof(WebConsole).Assembly, ResourcePrefix);

    /// <summary>Serves <c>/</c> (index.html) and the console's other files; every other path falls through to the API's routes.</summary>
    public static IApplicationBuilder UseWebConsole(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = Files, DefaultFileNames = ["index.html"] });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = Files,
            ContentTypeProvider = new FileExtensionContentTypeProvider(),
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                // Revalidated on every load (the ETag answers 304), so a new gateway's console is never mixed with an old one's.
                headers.CacheControl = "no-cache";
                headers.XContentTypeOptions = "nosniff";
                headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
                headers["Referrer-Policy"] = "no-referrer";
            },
        });
        return app;
    }
}
