using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Features.Audit;
using Portal.Features.Jobs;
using Portal.Security;

namespace Portal.Api;

public static class ApiEndpoints
{
    /// <summary>The versioned API. Every endpoint needs a signed-in caller; role checks happen here, on the server.</summary>
    public static IEndpointRouteBuilder MapPortalApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1").RequireAuthorization();

        api.MapGet("/me", (HttpContext context) =>
        {
            var user = PortalUser.From(context.User)!;
            return TypedResults.Ok(new MeResponse(user.SignInName, user.DisplayName, user.Email, user.Roles));
        }).WithTags("Account").WithSummary("The signed-in caller and their roles.");

        var audit = api.MapGroup("/audit").RequireAuthorization(PortalPolicies.Governance).WithTags("Audit");
        audit.MapGet("/", SearchAuditAsync).WithSummary("Audit entries, newest first, a page at a time.");
        audit.MapGet("/export", ExportAuditAsync).WithSummary("Every audit entry matching the filter, as CSV.");

        var jobs = api.MapGroup("/jobs").WithTags("Jobs");
        jobs.MapGet("/", async (JobsOverview overview, CancellationToken ct) => TypedResults.Ok(await overview.ListAsync(ct)))
            .RequireAuthorization(PortalPolicies.Governance)
            .WithSummary("Each job with its schedule, next fire time and last run.");
        jobs.MapPost("/{name}/run", RunJobAsync)
            .RequireAuthorization(PortalPolicies.Admin)
            .WithSummary("Starts a job now.");

        return endpoints;
    }

    private static async Task<Results<Ok<AuditPageResponse>, ValidationProblem>> SearchAuditAsync(
        AuditSearch search,
        string? actor,
        string? action,
        DateTimeOffset? from,
        DateTimeOffset? to,
        int? skip,
        int? take,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (skip < 0)
        {
            errors["skip"] = ["skip must be zero or more."];
        }

        if (take is < 1 or > AuditSearch.MaxPageSize)
        {
            errors["take"] = [$"take must be between 1 and {AuditSearch.MaxPageSize}."];
        }

        if (from > to)
        {
            errors["from"] = ["from must not be after to."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var page = await search.SearchAsync(
            new AuditPageRequest(new AuditFilter(actor, action, from, to), skip ?? 0, take ?? 50), cancellationToken);
        return TypedResults.Ok(new AuditPageResponse(
            page.TotalCount,
            page.Items.Select(e => new AuditEntryResponse(
                e.Id, e.Timestamp, e.ActorKind.ToString(), e.Actor, e.Action, e.Subject, e.Before, e.After, e.CorrelationId)).ToList()));
    }

    private static async Task<Results<EmptyHttpResult, ValidationProblem>> ExportAuditAsync(
        HttpContext context,
        AuditSearch search,
        TimeProvider clock,
        string? actor,
        string? action,
        DateTimeOffset? from,
        DateTimeOffset? to,
        CancellationToken cancellationToken)
    {
        if (from > to)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["from"] = ["from must not be after to."] });
        }

        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"audit-{clock.GetUtcNow():yyyyMMdd-HHmmss}.csv\"";
        await search.WriteCsvAsync(new AuditFilter(actor, action, from, to), context.Response.Body, cancellationToken);
        return TypedResults.Empty;
    }

    private static async Task<Results<Accepted, ProblemHttpResult>> RunJobAsync(
        string name, HttpContext context, JobsOverview overview, CancellationToken cancellationToken)
    {
        var actor = PortalUser.From(context.User)!.SignInName;
        return await overview.RunNowAsync(name, actor, cancellationToken)
            ? TypedResults.Accepted($"/api/v1/jobs")
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown job",
                detail: $"There is no job named '{name}'. Known jobs: {string.Join(", ", JobCatalog.All.Select(j => j.Name))}.");
    }
}

public sealed record MeResponse(string SignInName, string DisplayName, string? Email, IReadOnlyList<string> Roles);

public sealed record AuditEntryResponse(
    long Id, DateTimeOffset Timestamp, string ActorKind, string Actor, string Action,
    string? Subject, string? Before, string? After, string? CorrelationId);

public sealed record AuditPageResponse(int TotalCount, IReadOnlyList<AuditEntryResponse> Items);
