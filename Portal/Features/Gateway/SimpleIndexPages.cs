using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;
using Portal.Core.Gateway;
using Portal.Core.Gateway.PyPi;

namespace Portal.Features.Gateway;

/// <summary>A rewritten Simple API page, or why there is none.</summary>
public sealed record SimpleIndexPage(string? Body, string? ContentType, GatewayResponse? Failure);

/// <summary>
/// PyPI remotes' Simple API pages (PEP 503 HTML and PEP 691 JSON): fetched from the upstream with the client's Accept
/// header, rewritten so every file link points through the gateway with its hash kept, and reused for
/// IndexPageCacheSeconds. Pages are index metadata written anew by the rewriter, not package files, so they are not
/// virus-scanned; every file they link to is.
/// </summary>
public sealed class SimpleIndexPages(IHttpClientFactory httpClients, IOptions<GatewayOptions> options, TimeProvider clock, ILogger<SimpleIndexPages> logger)
{
    public const string SimpleSegment = "simple";
    private const int MaxRedirects = 5;
    private const int MaxCachedPages = 5_000;
    private const string DefaultAccept = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";

    private readonly ConcurrentDictionary<(long Remote, string Path, string Accept, string Base), CachedPage> _cache = new();

    /// <summary>True for the paths of a PyPI remote that are index pages ("simple/", "simple/NAME/").</summary>
    public static bool IsIndexPath(Remote remote, ContentPath path) =>
        remote.Kind == RemoteKind.PyPi && path.Segments[0] == SimpleSegment;

    public void Forget(long remoteId)
    {
        foreach (var key in _cache.Keys.Where(k => k.Remote == remoteId))
        {
            _cache.TryRemove(key, out _);
        }
    }

    /// <param name="gatewayBase">The address the client used for this remote, e.g. http://portal/content/pypi/: links point there.</param>
    public async Task<SimpleIndexPage> GetAsync(Remote remote, ContentPath path, string? accept, Uri gatewayBase, CancellationToken cancellationToken)
    {
        accept = string.IsNullOrWhiteSpace(accept) || accept.Length > 500 ? DefaultAccept : accept;
        var key = (remote.Id, path.Value, accept, gatewayBase.AbsoluteUri);
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(key, out var cached) && now - cached.At < TimeSpan.FromSeconds(options.Value.IndexPageCacheSeconds))
        {
            return cached.Page;
        }

        var page = await FetchAsync(remote, path, accept, gatewayBase, cancellationToken);
        if (page.Failure is null)
        {
            if (_cache.Count >= MaxCachedPages)
            {
                _cache.Clear();
            }

            _cache[key] = new CachedPage(page, now);
        }

        return page;
    }

    private async Task<SimpleIndexPage> FetchAsync(Remote remote, ContentPath path, string accept, Uri gatewayBase, CancellationToken cancellationToken)
    {
        var client = httpClients.CreateClient(ContentGateway.HttpClientName);
        var uri = remote.UpstreamUriOf(path);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(Math.Min(options.Value.DownloadTimeoutSeconds, 120)));
        try
        {
            for (var hop = 0; ; hop++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                request.Headers.TryAddWithoutValidation("Accept", accept);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    // PyPI redirects a project's unnormalised name to its normalised page; only within the remote.
                    var next = location.IsAbsoluteUri ? location : new Uri(uri, location);
                    if (hop >= MaxRedirects || !ContentGateway.IsUnder(remote.UpstreamBase, next))
                    {
                        return Failed(GatewayResponseKind.UpstreamFailed, $"Remote '{remote.Name}' redirected '{path.Value}' outside its upstream.");
                    }

                    uri = next;
                    continue;
                }

                if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
                {
                    return Failed(GatewayResponseKind.NotFound, $"Remote '{remote.Name}' has no index page '{path.Value}'.");
                }

                if (!response.IsSuccessStatusCode)
                {
                    return Failed(GatewayResponseKind.UpstreamFailed, $"Remote '{remote.Name}' answered {(int)response.StatusCode} for '{path.Value}'.");
                }

                var contentType = response.Content.Headers.ContentType?.ToString();
                if (!SimpleIndexRewriter.IsSimpleIndex(contentType))
                {
                    return Failed(GatewayResponseKind.UpstreamFailed,
                        $"Remote '{remote.Name}' answered '{path.Value}' with {contentType ?? "no content type"}, not a Simple API page.");
                }

                if (response.Content.Headers.ContentLength > SimpleIndexRewriter.DefaultMaxBodyLength)
                {
                    return Failed(GatewayResponseKind.TooLarge, $"The index page '{path.Value}' is larger than the gateway reads.");
                }

                var body = await response.Content.ReadAsStringAsync(timeout.Token);
                var rewritten = new SimpleIndexRewriter(remote.UpstreamBase, remote.FilesBase, gatewayBase).Rewrite(body, contentType, uri);
                if (rewritten.DroppedLinks > 0)
                {
                    logger.LogInformation("Index page {Path} of remote {Remote}: {Dropped} links to hosts outside the remote left out",
                        path.Value, remote.Name, rewritten.DroppedLinks);
                }

                return new SimpleIndexPage(rewritten.Body, rewritten.ContentType, null);
            }
        }
        catch (SimpleIndexFormatException e)
        {
            return Failed(GatewayResponseKind.UpstreamFailed, $"Remote '{remote.Name}' sent an index page the gateway cannot read: {e.Message}");
        }
        catch (Exception e) when (e is HttpRequestException or IOException || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return Failed(GatewayResponseKind.UpstreamFailed, $"Remote '{remote.Name}' could not be reached for '{path.Value}': {e.Message}");
        }
    }

    private static SimpleIndexPage Failed(GatewayResponseKind kind, string detail) => new(null, null, GatewayResponse.Refused(kind, detail));

    private sealed record CachedPage(SimpleIndexPage Page, DateTimeOffset At);
}
