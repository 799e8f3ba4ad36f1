using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using Portal.Core.ApiKeys;
using Portal.Core.Gateway;
using Portal.Features.ApiKeys;
using Portal.Features.Gateway;

namespace Portal.Api;

/// <summary>
/// The content gateway: <c>GET /content/{remote}/{**path}</c> serves a file of a configured remote only after it has
/// been scanned clean (see <see cref="ContentGateway"/>). Reads are anonymous or need an API key with the gateway:read
/// scope, per remote, given as the password of HTTP basic authentication (pip's https://token:KEY@host/ form), as a
/// bearer token or in X-Api-Key; signed-in people may read too.
/// </summary>
public static class ContentEndpoints
{
    public const string Prefix = "/content/";

    public static IEndpointRouteBuilder MapContentEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods(Prefix + "{remote}/{**path}", [HttpMethods.Get, HttpMethods.Head], GetAsync)
            .AllowAnonymous()
            .WithTags("Content gateway")
            .WithSummary("A file of a remote, served only once it is scanned clean: 409 when infected, 503 when the scanner cannot scan, 429 when the scan queue is full.");
        return endpoints;
    }

    private static async Task<IResult> GetAsync(
        HttpContext context, string remote, GatewayRemotes remotes, ContentGateway gateway, SimpleIndexPages indexPages, ApiKeyManagement keys,
        CancellationToken cancellationToken)
    {
        var found = await remotes.FindAsync(remote, cancellationToken);
        if (found is null)
        {
            return Problem(StatusCodes.Status404NotFound, "Unknown remote", $"No gateway remote is named '{remote}'. Admins configure remotes in Settings.");
        }

        // The raw target, not the decoded route value: an encoded traversal must be seen to be refused.
        // Servers without a raw target (the in-memory test server) give the decoded path, escaped again.
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } target
            ? target
            : (context.Request.PathBase + context.Request.Path).ToUriComponent();
        var rawPath = PathOfTarget(rawTarget);
        var remotePrefix = Prefix + remote + "/";
        if (!rawPath.StartsWith(remotePrefix, StringComparison.Ordinal))
        {
            return Problem(StatusCodes.Status400BadRequest, "Path refused", "The address must be /content/REMOTE/PATH, without encoded or relative segments.");
        }

        if (!ContentPath.TryParse(rawPath[remotePrefix.Length..], out var path, out var error))
        {
            return Problem(StatusCodes.Status400BadRequest, "Path refused", error);
        }

        var (reader, refusal) = await ReaderAsync(context, found, keys, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        if (SimpleIndexPages.IsIndexPath(found, path))
        {
            var request = context.Request;
            var gatewayBase = new Uri($"{request.Scheme}://{request.Host}{request.PathBase}{remotePrefix}");
            var page = await indexPages.GetAsync(found, path, request.Headers.Accept.ToString(), gatewayBase, cancellationToken);
            if (page.Failure is { } failure)
            {
                return ToResult(context, failure, found, path);
            }

            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers.Vary = "Accept";
            return TypedResults.Text(page.Body!, page.ContentType);
        }

        var response = await gateway.GetAsync(found, path, reader!, cancellationToken);
        return ToResult(context, response, found, path);
    }

    // The request target as sent: origin-form ("/content/x/y?q"), or absolute-form ("http://host/content/x/y", which
    // proxies send and test servers report); only its path counts, still percent-encoded.
    internal static string PathOfTarget(string rawTarget)
    {
        var path = rawTarget.Split(['?', '#'], 2)[0];
        var scheme = path.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0 && !path.StartsWith('/'))
        {
            var slash = path.IndexOf('/', scheme + 3);
            path = slash < 0 ? "/" : path[slash..];
        }

        return path;
    }

    /// <summary>Who is reading: a signed-in person, an API key's name, or "anonymous"; or the 401/403 answer.</summary>
    internal static async Task<(string? Reader, IResult? Refusal)> ReaderAsync(
        HttpContext context, Remote remote, ApiKeyManagement keys, CancellationToken cancellationToken)
    {
        if (context.User.Identity?.IsAuthenticated == true)
        {
            return (context.User.Identity.Name ?? "signed-in user", null);
        }

        var presented = PresentedKey(context.Request);
        if (remote.ReadAccess == RemoteReadAccess.Anonymous && presented is null)
        {
            return ("anonymous", null);
        }

        var (check, keyName) = await keys.CheckAsync(presented, ApiKeyScopes.GatewayRead, cancellationToken);
        switch (check)
        {
            case ApiKeyCheck.Accepted:
                return ($"api-key:{keyName}", null);
            case ApiKeyCheck.WrongScope:
                return (null, Problem(StatusCodes.Status403Forbidden, "API key lacks the scope", $"The key '{keyName}' does not have the {ApiKeyScopes.GatewayRead} scope."));
            default:
                // Basic, so pip and browsers know to send credentials (pip's index URL: https://token:KEY@host/...).
                context.Response.Headers.WWWAuthenticate = $"Basic realm=\"portal gateway {remote.Name}\"";
                return (null, Problem(StatusCodes.Status401Unauthorized, check == ApiKeyCheck.Missing ? "API key required" : "API key not accepted",
                    $"Remote '{remote.Name}' needs an API key with the {ApiKeyScopes.GatewayRead} scope, as the password of HTTP basic authentication (https://token:KEY@host/content/{remote.Name}/...)."));
        }
    }

    /// <summary>An API key from X-Api-Key or Bearer (as the scan-report API takes it), or as the password of Basic.</summary>
    internal static string? PresentedKey(HttpRequest request)
    {
        if (ScanReportEndpoints.PresentedKey(request) is { } key)
        {
            return key;
        }

        var authorization = request.Headers.Authorization.FirstOrDefault();
        if (authorization is null || !authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon >= 0 && colon < decoded.Length - 1 ? decoded[(colon + 1)..] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    internal static IResult ToResult(HttpContext context, GatewayResponse response, Remote remote, ContentPath path)
    {
        var headers = context.Response.Headers;
        // Files come from elsewhere: never let a browser run one as a page of the portal.
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
        var retryAfter = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<GatewayOptions>>().Value.RetryAfterSeconds;
        switch (response.Kind)
        {
            case GatewayResponseKind.Serve:
                headers["X-Checksum-Sha256"] = response.Sha256;
                var tag = new EntityTagHeaderValue($"\"{response.Sha256}\"");
                if (response.StoredFile is { } stored)
                {
                    KeptFileBody.Use(context, context.RequestServices.GetRequiredService<ContentStore>());
                    return TypedResults.PhysicalFile(stored, response.ContentType, entityTag: tag, enableRangeProcessing: true);
                }

                return TypedResults.Stream(response.Content!, response.ContentType, entityTag: tag, enableRangeProcessing: true);
            case GatewayResponseKind.Infected:
                // pip prints the reason phrase ("409 Client Error: Infected: … for url: …"), so the signature is in it.
                var reason = $"Infected: {Ascii(response.Signature)}";
                context.Response.OnStarting(() =>
                {
                    context.Features.Get<IHttpResponseFeature>()!.ReasonPhrase = reason;
                    return Task.CompletedTask;
                });
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Infected file refused", detail: response.Detail,
                    extensions: new Dictionary<string, object?>
                    {
                        ["signature"] = response.Signature,
                        ["sha256"] = response.Sha256,
                        ["remote"] = remote.Name,
                        ["path"] = path.Value,
                    });
            case GatewayResponseKind.PathNotAllowed:
                return Problem(StatusCodes.Status403Forbidden, "Path not allowed", response.Detail);
            case GatewayResponseKind.NotFound:
                return Problem(StatusCodes.Status404NotFound, "Not found upstream", response.Detail);
            case GatewayResponseKind.TooLarge:
                return Problem(StatusCodes.Status502BadGateway, "File too large", response.Detail);
            case GatewayResponseKind.UpstreamFailed:
                return Problem(StatusCodes.Status502BadGateway, "Upstream failed", response.Detail);
            case GatewayResponseKind.ScannerUnavailable:
                headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Problem(StatusCodes.Status503ServiceUnavailable, "Scanner unavailable", response.Detail);
            case GatewayResponseKind.Busy:
                headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Problem(StatusCodes.Status429TooManyRequests, "Scan queue full", response.Detail);
            default:
                throw new InvalidOperationException($"Unknown gateway response {response.Kind}.");
        }
    }

    private static string Ascii(string? value) =>
        new((value ?? "unknown").Where(c => c is >= ' ' and <= '~').Take(200).ToArray());

    private static IResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
