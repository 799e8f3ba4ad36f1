using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Core.Findings;
using Portal.Core.Inventory;
using Portal.Features.Findings;
using Portal.Security;

namespace Portal.Api;

/// <summary>The query string of the findings list.</summary>
public sealed record FindingQuery(
    string? Search, Severity? MinimumSeverity, FindingKind? Kind, ImageClass? Class, bool? IncludeResolved, bool? Excepted, int? Skip, int? Take)
{
    public FindingFilter Filter => new(Search, MinimumSeverity, Kind, Class, IncludeResolved ?? false, Excepted);
}

public static class FindingEndpoints
{
    public static IEndpointRouteBuilder MapFindingEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var findings = endpoints.MapGroup("/api/v1/findings").RequireAuthorization(PortalPolicies.Governance).WithTags("Findings");
        findings.MapGet("/", SearchAsync).WithSummary("Findings across all images, worst first, with exceptions applied; a page at a time.")
            .WithDescription("totalCount is exact up to Findings:CountLimit (10,000) findings past skip; beyond, totalIsLowerBound is true "
                + "and at least totalCount findings match. The export is never limited.");
        findings.MapGet("/export", ExportAsync).WithSummary("Every finding matching the filter, as CSV.");
        endpoints.MapGet("/api/v1/vulnerabilities/{id}/impacted", async (string id, FindingCatalog catalog, CancellationToken ct) =>
                TypedResults.Ok(await catalog.ImpactedAsync(id, ct)))
            .RequireAuthorization(PortalPolicies.Governance)
            .WithTags("Findings")
            .WithSummary("Images with the vulnerability open, the workloads running them, and their owners.");

        var exceptions = endpoints.MapGroup("/api/v1/exceptions").RequireAuthorization(PortalPolicies.Governance).WithTags("Findings");
        exceptions.MapGet("/", async (string? vulnerabilityId, FindingExceptions service, CancellationToken ct) =>
                TypedResults.Ok(await service.ListAsync(vulnerabilityId, ct)))
            .WithSummary("Exceptions, active first.");
        exceptions.MapPost("/", RecordExceptionAsync).RequireAuthorization(PortalPolicies.Admin).WithSummary("Records an exception (audited).");
        exceptions.MapPost("/{id:long}/revoke", async Task<Results<NoContent, NotFound>> (long id, HttpContext context, FindingExceptions service, CancellationToken ct) =>
                await service.RevokeAsync(id, PortalUser.From(context.User)!.SignInName, ct) ? TypedResults.NoContent() : TypedResults.NotFound())
            .RequireAuthorization(PortalPolicies.Admin)
            .WithSummary("Revokes an exception (audited).");
        return endpoints;
    }

    private static async Task<Results<Ok<FindingPage>, ValidationProblem>> SearchAsync(
        FindingCatalog catalog, [AsParameters] FindingQuery query, CancellationToken cancellationToken)
    {
        if (query.Skip < 0 || query.Take is < 1 or > FindingCatalog.MaxPageSize)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["take"] = [$"skip must be zero or more and take between 1 and {FindingCatalog.MaxPageSize}."],
            });
        }

        return TypedResults.Ok(await catalog.SearchAsync(new FindingPageRequest(query.Filter, query.Skip ?? 0, query.Take ?? 50), cancellationToken));
    }

    private static async Task<EmptyHttpResult> ExportAsync(
        HttpContext context, FindingCatalog catalog, TimeProvider clock, [AsParameters] FindingQuery query, CancellationToken cancellationToken)
    {
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"findings-{clock.GetUtcNow():yyyyMMdd-HHmmss}.csv\"";
        await catalog.WriteCsvAsync(query.Filter, context.Response.Body, cancellationToken);
        return TypedResults.Empty;
    }

    private static async Task<Results<Created<ExceptionResult>, ValidationProblem>> RecordExceptionAsync(
        ExceptionInput input, HttpContext context, FindingExceptions service, CancellationToken cancellationToken)
    {
        var result = await service.RecordAsync(input, PortalUser.From(context.User)!.SignInName, cancellationToken);
        return result.Succeeded
            ? TypedResults.Created($"/api/v1/exceptions?vulnerabilityId={Uri.EscapeDataString(input.VulnerabilityId ?? "")}", result)
            : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["exception"] = result.Errors.ToArray() });
    }
}
