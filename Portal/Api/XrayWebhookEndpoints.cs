using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Portal.Core.Findings;
using Portal.Core.Findings.Parsers;
using Portal.Features.Findings;

namespace Portal.Api;

/// <summary>Where Xray's watches deliver violations. Xray is told a shared secret; nothing else may post here.</summary>
public sealed class XrayWebhookOptions
{
    public const string SectionName = "Xray";

    /// <summary>
    /// The shared secret Xray sends, either as the password of its webhook's Basic credentials or in an
    /// X-JFrog-Event-Auth header. Empty: the webhook is switched off (404).
    /// </summary>
    public string? WebhookSecret { get; set; }
}

public static class XrayWebhookEndpoints
{
    public const string SecretHeader = "X-JFrog-Event-Auth";

    public static IEndpointRouteBuilder MapXrayWebhookEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/v1/webhooks/xray", ReceiveAsync)
            // Authenticated by the shared secret inside the handler: Xray cannot sign in.
            .AllowAnonymous()
            .DisableAntiforgery()
            .WithTags("Scan reports")
            .WithSummary("Receives an Xray webhook (schema 1.1) and stores its violations as findings.");
        return endpoints;
    }

    private static async Task<Results<Ok<IngestionResult>, ProblemHttpResult>> ReceiveAsync(
        HttpContext context, IOptions<XrayWebhookOptions> webhook, IOptions<ScanReportReaderOptions> reader, FindingIngestion ingestion,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(webhook.Value.WebhookSecret))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Xray webhook not configured",
                detail: "Set Xray:WebhookSecret to receive Xray webhooks.");
        }

        if (!SecretMatches(context.Request, webhook.Value.WebhookSecret))
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"xray-webhook\"";
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Webhook secret not accepted",
                detail: $"Send the shared secret as the Basic password or in the {SecretHeader} header.");
        }

        ScanReport report;
        try
        {
            report = await ScanReportReader.ReadAsync(context.Request.Body, ReportFormat.XrayWebhook, reader.Value, cancellationToken);
        }
        catch (ScanReportFormatException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The webhook body cannot be read", detail: ex.Message);
        }

        // Images the inventory does not know are listed in the answer, not refused: Xray would only retry them.
        return TypedResults.Ok(await ingestion.IngestAsync(report, "xray-webhook", null, cancellationToken));
    }

    private static bool SecretMatches(HttpRequest request, string secret)
    {
        var presented = request.Headers[SecretHeader].FirstOrDefault();
        var authorization = request.Headers.Authorization.FirstOrDefault();
        if (presented is null && authorization is not null && authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var credentials = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..].Trim()));
                presented = credentials[(credentials.IndexOf(':', StringComparison.Ordinal) + 1)..];
            }
            catch (FormatException)
            {
                return false;
            }
        }

        return presented is not null
            && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
    }
}
