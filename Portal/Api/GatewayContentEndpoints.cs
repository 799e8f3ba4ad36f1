using Portal.Features.Gateway;
using Portal.Security;

namespace Portal.Api;

/// <summary>What the content gateway holds, for admins: the Gateway page's content list as CSV.</summary>
public static class GatewayContentEndpoints
{
    public static IEndpointRouteBuilder MapGatewayContentEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var gateway = endpoints.MapGroup("/api/v1/gateway").RequireAuthorization(PortalPolicies.Admin).WithTags("Content gateway");
        gateway.MapGet("/content/export", ExportAsync)
            .WithSummary("Every path of every remote matching the filter (remote, verdict, part of the path), newest first, with its verdict, as CSV.");
        return endpoints;
    }

    private static async Task<IResult> ExportAsync(
        HttpContext context, GatewayContent content, TimeProvider clock, string? remote, string? verdict, string? path, CancellationToken cancellationToken)
    {
        ContentVerdict? parsedVerdict = null;
        if (!string.IsNullOrWhiteSpace(verdict))
        {
            // Names only: "1" must not quietly mean the second verdict.
            if (int.TryParse(verdict, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out _) || !Enum.TryParse<ContentVerdict>(verdict.Trim(), ignoreCase: true, out var named))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["verdict"] = [$"'{verdict}' is not a verdict. Use one of: {string.Join(", ", Enum.GetNames<ContentVerdict>())}."],
                });
            }

            parsedVerdict = named;
        }

        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"gateway-content-{clock.GetUtcNow():yyyyMMdd-HHmmss}.csv\"";
        await content.WriteCsvAsync(new ContentFilter(remote, parsedVerdict, path), context.Response.Body, cancellationToken);
        return TypedResults.Empty;
    }
}
