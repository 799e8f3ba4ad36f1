using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Core.Inventory;
using Portal.Features.Audit;
using Portal.Features.Inventory;
using Portal.Features.Jobs;
using Portal.Features.Workloads;
using Portal.Core.Workloads;
using Portal.Security;

namespace Portal.Api;

public static class ApiEndpoints
{
    /// <summary>JSON as API callers want it: enums by name ("Curated", "Notebook"), not by number.</summary>
    public static IServiceCollection AddPortalApi(this IServiceCollection services) =>
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));

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

        var images = api.MapGroup("/images").RequireAuthorization(PortalPolicies.Governance).WithTags("Images");
        images.MapGet("/", SearchImagesAsync).WithSummary("Images in the inventory (what tags point at), a page at a time.");
        images.MapGet("/export", ExportImagesAsync).WithSummary("Every image matching the filter, as CSV.");
        images.MapGet("/{id:long}", async Task<Results<Ok<ImageDetail>, NotFound>> (long id, ImageCatalog catalog, CancellationToken ct) =>
                await catalog.GetAsync(id, ct) is { } detail ? TypedResults.Ok(detail) : TypedResults.NotFound())
            .WithSummary("One image: tags, platforms, labels, layers and classification.");

        images.MapGet("/{id:long}/users", async (long id, WorkloadCatalog workloads, CancellationToken ct) =>
                TypedResults.Ok(await workloads.UsersOfImageAsync(id, ct)))
            .WithSummary("Present workloads running the image (or one of its platform images), with their owners.");

        var workloads = api.MapGroup("/workloads").RequireAuthorization(PortalPolicies.Governance).WithTags("Workloads");
        workloads.MapGet("/", (WorkloadCatalog catalog, [AsParameters] WorkloadQuery query, CancellationToken ct) =>
                SearchWorkloadsAsync(catalog, query, WorkloadScope.Everyone, ct))
            .WithSummary("Workloads in every cluster, a page at a time.");
        workloads.MapGet("/export", (HttpContext context, WorkloadCatalog catalog, TimeProvider clock, [AsParameters] WorkloadQuery query, CancellationToken ct) =>
                ExportWorkloadsAsync(context, catalog, clock, query, WorkloadScope.Everyone, ct))
            .WithSummary("Every workload matching the filter, as CSV.");

        var mine = api.MapGroup("/me/workloads").WithTags("Workloads");
        mine.MapGet("/", (HttpContext context, WorkloadCatalog catalog, [AsParameters] WorkloadQuery query, CancellationToken ct) =>
                SearchWorkloadsAsync(catalog, query, ScopeOf(context), ct))
            .WithSummary("The caller's workloads: those in namespaces where their email is owner or contributor.");
        mine.MapGet("/export", (HttpContext context, WorkloadCatalog catalog, TimeProvider clock, [AsParameters] WorkloadQuery query, CancellationToken ct) =>
                ExportWorkloadsAsync(context, catalog, clock, query, ScopeOf(context), ct))
            .WithSummary("The caller's workloads as CSV.");

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

    private static async Task<Results<Ok<ImagePage>, ValidationProblem>> SearchImagesAsync(
        ImageCatalog catalog,
        string? search,
        ImageClass? imageClass,
        Channel? channel,
        int? registryId,
        ImageSortField? sort,
        bool? descending,
        int? skip,
        int? take,
        CancellationToken cancellationToken)
    {
        if (skip < 0 || take is < 1 or > ImageCatalog.MaxPageSize)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["take"] = [$"skip must be zero or more and take between 1 and {ImageCatalog.MaxPageSize}."],
            });
        }

        var request = new ImagePageRequest(new ImageFilter(search, imageClass, channel, registryId), skip ?? 0, take ?? 50,
            sort ?? ImageSortField.Created, descending ?? true);
        return TypedResults.Ok(await catalog.SearchAsync(request, cancellationToken));
    }

    private static async Task<EmptyHttpResult> ExportImagesAsync(
        HttpContext context, ImageCatalog catalog, TimeProvider clock, string? search, ImageClass? imageClass, Channel? channel, int? registryId,
        CancellationToken cancellationToken)
    {
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"images-{clock.GetUtcNow():yyyyMMdd-HHmmss}.csv\"";
        await catalog.WriteCsvAsync(new ImageFilter(search, imageClass, channel, registryId), context.Response.Body, cancellationToken);
        return TypedResults.Empty;
    }

    private static WorkloadScope ScopeOf(HttpContext context) => WorkloadScope.For(PortalUser.From(context.User)!.Email);

    private static async Task<Results<Ok<WorkloadPage>, ValidationProblem>> SearchWorkloadsAsync(
        WorkloadCatalog catalog, WorkloadQuery query, WorkloadScope scope, CancellationToken cancellationToken)
    {
        if (query.Skip < 0 || query.Take is < 1 or > WorkloadCatalog.MaxPageSize)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["take"] = [$"skip must be zero or more and take between 1 and {WorkloadCatalog.MaxPageSize}."],
            });
        }

        var request = new WorkloadPageRequest(query.Filter, query.Skip ?? 0, query.Take ?? 50, query.Sort ?? WorkloadSortField.Namespace,
            query.Descending ?? false);
        return TypedResults.Ok(await catalog.SearchAsync(request, scope, cancellationToken));
    }

    private static async Task<EmptyHttpResult> ExportWorkloadsAsync(
        HttpContext context, WorkloadCatalog catalog, TimeProvider clock, WorkloadQuery query, WorkloadScope scope, CancellationToken cancellationToken)
    {
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"workloads-{clock.GetUtcNow():yyyyMMdd-HHmmss}.csv\"";
        await catalog.WriteCsvAsync(query.Filter, scope, context.Response.Body, cancellationToken);
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

/// <summary>The query string of the workload lists.</summary>
public sealed record WorkloadQuery(
    string? Search, string? Namespace, WorkloadKind? Kind, WorkloadLifetime? Lifetime, string? Status, string? Cluster, bool? IncludeGone,
    WorkloadSortField? Sort, bool? Descending, int? Skip, int? Take)
{
    public WorkloadFilter Filter => new(Search, Namespace, Kind, Lifetime, Status, Cluster, IncludeGone ?? false);
}

public sealed record MeResponse(string SignInName, string DisplayName, string? Email, IReadOnlyList<string> Roles);

public sealed record AuditEntryResponse(
    long Id, DateTimeOffset Timestamp, string ActorKind, string Actor, string Action,
    string? Subject, string? Before, string? After, string? CorrelationId);

public sealed record AuditPageResponse(int TotalCount, IReadOnlyList<AuditEntryResponse> Items);
