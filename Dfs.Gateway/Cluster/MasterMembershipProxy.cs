using System.Net.Http.Headers;
using System.Text;
using Dfs.Client.Master;
using Dfs.Gateway.Http;

namespace Dfs.Gateway.Cluster;

/// <summary>
/// Carries the operator's membership commands to the masters' <c>/raft/members</c> routes: to the master this gateway last
/// found leading first, then the others; a master that does not lead redirects (307) to the one that does, and the
/// client follows. After a change the gateway's <see cref="MasterClient"/> rereads the group's book at once.
/// </summary>
public sealed class MasterMembershipProxy(MasterClient masters, IHttpClientFactory httpClients, ILogger<MasterMembershipProxy> logger)
{
    /// <summary>The name of the HTTP client the proxy uses: it follows redirects and waits long enough for a new master to catch up.</summary>
    public const string HttpClientName = "masters";

    /// <summary>Longest a command may take: an add waits for the new master to catch up with the log.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>Sends <paramref name="method"/> <paramref name="path"/> to the leader and answers what it answered.</summary>
    /// <exception cref="ApiProblemException">No master answered (503).</exception>
    public async Task<IResult> ForwardAsync(HttpMethod method, string path, byte[]? body, CancellationToken cancellationToken)
    {
        var known = masters.Masters;
        var first = masters.LeaderGuess;
        var lastProblem = "no master is known";
        foreach (var master in known.OrderBy(m => m.Id == first ? 0 : 1))
        {
            using var request = new HttpRequestMessage(method, new Uri($"http://{master.Host}:{master.ApiPort}{path}"));
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            }
            try
            {
                using var client = httpClients.CreateClient(HttpClientName);
                using var response = await client.SendAsync(request, cancellationToken);
                var content = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                if (response.IsSuccessStatusCode && method != HttpMethod.Get)
                {
                    await RefreshAsync(cancellationToken);
                }
                var type = response.Content.Headers.ContentType?.MediaType ?? "application/json";
                return Results.Text(Encoding.UTF8.GetString(content), type, Encoding.UTF8, (int)response.StatusCode);
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                lastProblem = $"{master.Id}: {e.Message}";
            }
        }
        throw new ApiProblemException(StatusCodes.Status503ServiceUnavailable, "unavailable", "Masters unavailable",
            $"No master answered the membership command; last: {lastProblem}.");
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            await masters.RefreshMastersAsync(cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or IOException or InvalidDataException or Dfs.Client.Master.Protocol.MasterException)
        {
            // The follower's next round tries again.
            MasterListFollower.Log.RefreshFailed(logger, e.Message);
        }
    }
}
