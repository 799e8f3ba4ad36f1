using Portal.Core.Gateway;

namespace Portal.Features.Gateway;

/// <summary>What a remote's upstream answered to a GET of its base URL, how long it took, or why it did not answer.</summary>
public sealed record RemoteCheck(string Remote, Uri Url, int? StatusCode, string? ReasonPhrase, TimeSpan Elapsed, string? Error, DateTimeOffset CheckedAt)
{
    /// <summary>The upstream answered with success or a redirect (the gateway follows redirects that stay under the remote).</summary>
    public bool Healthy => StatusCode is >= 200 and < 400;

    /// <summary>One line for a person: "200 OK in 84 ms", or what went wrong.</summary>
    public string Summary => StatusCode is { } status
        ? (string.IsNullOrWhiteSpace(ReasonPhrase) ? $"{status}" : $"{status} {ReasonPhrase}") + $" in {Milliseconds} ms"
        : $"No answer after {Milliseconds} ms: {Error}";

    private string Milliseconds => Math.Round(Elapsed.TotalMilliseconds).ToString("0", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// Checks that a remote's upstream answers, through the same HTTP client the gateway downloads with (so proxy and
/// connection settings are the ones that matter). Only the response headers are read; the body is never downloaded.
/// </summary>
public sealed class RemoteHealth(IHttpClientFactory httpClients, TimeProvider clock)
{
    /// <summary>How long a check waits for the upstream's answer before calling it unreachable.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public async Task<RemoteCheck> CheckAsync(Remote remote, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(remote);
        var url = remote.UpstreamBase;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var client = httpClients.CreateClient(ContentGateway.HttpClientName);
        var started = clock.GetTimestamp();
        try
        {
            // GET rather than HEAD: some package indexes refuse HEAD, which would read as a broken remote.
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return new RemoteCheck(remote.Name, url, (int)response.StatusCode, response.ReasonPhrase, clock.GetElapsedTime(started), null, clock.GetUtcNow());
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Unreachable(remote, url, started, $"no answer within {Timeout.TotalSeconds:0} seconds.");
        }
        catch (HttpRequestException e)
        {
            return Unreachable(remote, url, started, e.Message);
        }
    }

    private RemoteCheck Unreachable(Remote remote, Uri url, long started, string error) =>
        new(remote.Name, url, null, null, clock.GetElapsedTime(started), error, clock.GetUtcNow());
}
