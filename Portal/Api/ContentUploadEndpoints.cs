using Portal.Core.ApiKeys;
using Portal.Core.Auditing;
using Portal.Core.Gateway;
using Portal.Features.ApiKeys;
using Portal.Features.Audit;
using Portal.Features.Gateway;

namespace Portal.Api;

/// <summary>What an upload kept.</summary>
public sealed record ContentUploaded(string Remote, string Path, string Sha256, long Size, string Location);

/// <summary>
/// <c>POST /api/v1/content/{remote}/upload?path=…</c>: the request body is scanned before anything is kept. Always needs an
/// API key with the gateway:upload scope. Infected: 409 and nothing kept.
/// </summary>
public static class ContentUploadEndpoints
{
    public static IEndpointRouteBuilder MapContentUploadEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/v1/content/{remote}/upload", UploadAsync)
            // Authenticated by API key inside the handler, not by a sign-in.
            .AllowAnonymous()
            .DisableAntiforgery()
            .WithTags("Content gateway")
            .WithSummary("Uploads the request body to PATH of a remote; it is scanned first and kept only when clean (409 when infected).");
        return endpoints;
    }

    private static async Task<IResult> UploadAsync(
        HttpContext context, string remote, string? path, GatewayRemotes remotes, ContentGateway gateway, ContentStore store, ScanQueue queue,
        ApiKeyManagement keys, AuditLog audit, Microsoft.Extensions.Options.IOptions<GatewayOptions> options, CancellationToken cancellationToken)
    {
        var (check, keyName) = await keys.CheckAsync(ContentEndpoints.PresentedKey(context.Request), ApiKeyScopes.GatewayUpload, cancellationToken);
        switch (check)
        {
            case ApiKeyCheck.Missing or ApiKeyCheck.Invalid:
                context.Response.Headers.WWWAuthenticate = "Bearer";
                return Problem(StatusCodes.Status401Unauthorized, check == ApiKeyCheck.Missing ? "API key required" : "API key not accepted",
                    $"Uploads need an API key with the {ApiKeyScopes.GatewayUpload} scope as 'Authorization: Bearer KEY' or '{ScanReportEndpoints.ApiKeyHeader}: KEY'.");
            case ApiKeyCheck.WrongScope:
                return Problem(StatusCodes.Status403Forbidden, "API key lacks the scope", $"The key '{keyName}' does not have the {ApiKeyScopes.GatewayUpload} scope.");
        }

        var found = await remotes.FindAsync(remote, cancellationToken);
        if (found is null)
        {
            return Problem(StatusCodes.Status404NotFound, "Unknown remote", $"No gateway remote is named '{remote}'.");
        }

        if (found.Policy == RemotePolicy.Streamed)
        {
            return Problem(StatusCodes.Status400BadRequest, "Remote keeps nothing",
                $"Remote '{found.Name}' is Streamed: it never keeps files, so it takes no uploads. Upload to an OnDemand or Immediate remote.");
        }

        // The path arrives as a query value, already decoded; it is checked like a request path, segment by segment.
        if (string.IsNullOrEmpty(path))
        {
            return Problem(StatusCodes.Status400BadRequest, "Path refused", "Give the file's path in the remote as ?path=…");
        }

        if (!ContentPath.TryParse(string.Join('/', path.Split('/').Select(Uri.EscapeDataString)), out var contentPath, out var error))
        {
            return Problem(StatusCodes.Status400BadRequest, "Path refused", error);
        }

        if (contentPath.FileName.Length == 0 || contentPath.IsFilesPath)
        {
            return Problem(StatusCodes.Status400BadRequest, "Path refused", "The path must name a file, and may not start with '+files/'.");
        }

        if (!found.Allows(contentPath))
        {
            return Problem(StatusCodes.Status403Forbidden, "Path not allowed", $"Remote '{found.Name}' does not allow '{contentPath.Value}'.");
        }

        var limit = Math.Min(found.MaxFileBytes, options.Value.MaxUploadBytes);
        if (context.Request.ContentLength > limit)
        {
            return TooLarge(limit);
        }

        using var place = queue.TryEnter();
        if (place is null)
        {
            context.Response.Headers.RetryAfter = options.Value.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problem(StatusCodes.Status429TooManyRequests, "Scan queue full", "Too many files are waiting for a scan; try again later.");
        }

        var workFile = store.NewWorkFile(contentPath.FileName);
        try
        {
            var (sha256, size) = await ContentGateway.WriteHashingAsync(context.Request.Body, workFile, limit, cancellationToken);
            if (size > limit)
            {
                return TooLarge(limit);
            }

            if (size == 0)
            {
                return Problem(StatusCodes.Status400BadRequest, "Empty upload", "The request body is empty.");
            }

            var actor = $"api-key:{keyName}";
            var admission = await gateway.AdmitAsync(found, contentPath, workFile, sha256, size, ContentSource.Upload, actor, place, cancellationToken);
            var response = admission.Response;
            if (response.Kind == GatewayResponseKind.Serve)
            {
                await audit.RecordAsync(AuditActorKind.System, actor, AuditActions.ContentUploaded, $"{found.Name}/{contentPath.Value}", null,
                    $"sha256 {sha256}, {size:N0} bytes, clean ({admission.Verdict?.Engine} {admission.Verdict?.DefinitionsVersion})", cancellationToken);
                var location = $"{ContentEndpoints.Prefix}{found.Name}/{contentPath.Escaped}";
                return TypedResults.Created(location, new ContentUploaded(found.Name, contentPath.Value, sha256, size, location));
            }

            return ContentEndpoints.ToResult(context, response, found, contentPath);
        }
        finally
        {
            ContentStore.DeleteWorkFile(workFile);
        }
    }

    private static IResult TooLarge(long limit) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "Upload too large", $"Uploads to this remote may be at most {limit:N0} bytes.");

    private static IResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
