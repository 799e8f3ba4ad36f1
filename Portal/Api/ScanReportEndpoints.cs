using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Portal.Core.ApiKeys;
using Portal.Core.Findings;
using Portal.Core.Findings.Parsers;
using Portal.Features.ApiKeys;
using Portal.Features.Findings;

namespace Portal.Api;

/// <summary>
/// Where scanners and pipelines deliver reports. Callers are machines: they present an API key with the
/// scan-reports:write scope (Authorization: Bearer KEY, or X-Api-Key: KEY) instead of signing in.
/// </summary>
public static class ScanReportEndpoints
{
    public const string ApiKeyHeader = "X-Api-Key";

    public static IEndpointRouteBuilder MapScanReportEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/v1/scan-reports", IngestAsync)
            // Authenticated by API key inside the handler, not by a sign-in.
            .AllowAnonymous()
            .DisableAntiforgery()
            .WithTags("Scan reports")
            .WithSummary("Stores a Trivy, Trivy Operator, Xray or Harbor report (format detected unless ?format= says it); ?digest= ties a one-image report to a digest.");
        return endpoints;
    }

    private static async Task<Results<Ok<IngestionResult>, ProblemHttpResult>> IngestAsync(
        HttpContext context, ApiKeyManagement keys, FindingIngestion ingestion, IOptions<ScanReportReaderOptions> options,
        string? format, string? digest, CancellationToken cancellationToken)
    {
        var (refused, keyName) = await ApiKeyRequirement.CheckAsync(context, keys, ApiKeyScopes.ScanReportsWrite,
            $"Send an API key with the {ApiKeyScopes.ScanReportsWrite} scope as 'Authorization: Bearer KEY' or '{ApiKeyHeader}: KEY'. Admins create keys in Settings.",
            cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        ReportFormat? stated = null;
        if (!string.IsNullOrEmpty(format))
        {
            if (!Enum.TryParse<ReportFormat>(format, ignoreCase: true, out var parsed) || int.TryParse(format, out _)
                || !ScanReportReader.IsReadable(parsed))
            {
                return Problem(StatusCodes.Status400BadRequest, "Unknown report format",
                    $"'{format}' is not a format. Formats: {string.Join(", ", ScanReportReader.ReadableFormats)}.");
            }

            stated = parsed;
        }

        if (digest is not null && !Portal.Core.Registry.Digest.TryParse(digest, out _, out var digestError))
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid digest", digestError);
        }

        var limit = options.Value.MaxBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Report too large",
                $"The report is {context.Request.ContentLength:N0} bytes; the limit is {limit:N0} bytes (ScanReports:MaxBodyBytes).");
        }

        // Kestrel's own default limit (30 MB) would answer first, without a problem body; the reader enforces ours.
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = limit + 1L;
        }

        ScanReport report;
        try
        {
            report = await ScanReportReader.ReadAsync(context.Request.Body, stated, options.Value, cancellationToken);
        }
        catch (ScanReportFormatException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "The report cannot be read", ex.Message);
        }

        var result = await ingestion.IngestAsync(report, $"api-key {keyName}", digest, cancellationToken);
        if (result.Stored.Count == 0 && result.Unmatched.Count > 0)
        {
            return Problem(StatusCodes.Status422UnprocessableEntity, "No known image in the report",
                $"No digest is given for {string.Join(", ", result.Unmatched)} and the inventory has no such tag; send ?digest= or sync the registry first. Nothing was stored.");
        }

        return TypedResults.Ok(result);
    }

    /// <summary>A key from X-Api-Key or Authorization: Bearer.</summary>
    internal static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers[ApiKeyHeader].FirstOrDefault() is { Length: > 0 } header)
        {
            return header.Trim();
        }

        var authorization = request.Headers.Authorization.FirstOrDefault();
        return authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization["Bearer ".Length..].Trim()
            : null;
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
