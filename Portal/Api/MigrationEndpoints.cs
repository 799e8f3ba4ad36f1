using Portal.Features.Lifecycle;
using Portal.Features.Migrations;
using Portal.Security;
using static Portal.Api.LifecycleRequestEndpoints;

namespace Portal.Api;

/// <summary>A reason for revoking a path; owners who chose it are told.</summary>
public sealed record MigrationRevocation(string? Reason);

/// <summary>
/// Migration paths (governance reads them; admins approve, revoke and ask for fresh proposals) and owners' choices for
/// their notebooks. A refused change is problem+json naming the problem; nothing is stored.
/// </summary>
public static class MigrationEndpoints
{
    public static IEndpointRouteBuilder MapMigrationEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var paths = endpoints.MapGroup("/api/v1/migration-paths").RequireAuthorization(PortalPolicies.Governance).WithTags("Migrations");
        paths.MapGet("/", (MigrationPaths migrations, CancellationToken ct) => migrations.ListAsync(ct))
            .WithSummary("Proposed, approved and revoked paths (newest first within each), with the difference in findings and owners' choices.");
        paths.MapGet("/{id:long}", async (long id, MigrationPaths migrations, CancellationToken ct) =>
                await migrations.GetAsync(id, ct) is { } view
                    ? Results.Ok(view)
                    : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"There is no migration path {id}."))
            .WithSummary("One path with its difference in findings.");
        paths.MapPost("/{id:long}/approve", async (long id, HttpContext context, MigrationPaths migrations, CancellationToken ct) =>
                Answer(await migrations.ApproveAsync(id, Actor(context).Name, ct), "path", TypedResults.Ok))
            .RequireAuthorization(PortalPolicies.Admin)
            .WithSummary("Approves a proposed path: owners then see the replacement and may choose to be migrated (audited).");
        paths.MapPost("/{id:long}/revoke", async (long id, MigrationRevocation revocation, HttpContext context, MigrationPaths migrations,
                    CancellationToken ct) =>
                Answer(await migrations.RevokeAsync(id, revocation.Reason, Actor(context).Name, ct), "path", TypedResults.Ok))
            .RequireAuthorization(PortalPolicies.Admin)
            .WithSummary("Revokes a proposed or approved path, with the reason; nobody is migrated along it any more (audited).");
        paths.MapPost("/refresh", (MigrationPaths migrations, CancellationToken ct) => migrations.RefreshAsync(ct))
            .RequireAuthorization(PortalPolicies.Admin)
            .WithSummary("Proposes replacements now and revokes paths whose target is no longer fit (the migration-paths job does it every 15 minutes).");

        endpoints.MapPost("/api/v1/me/migration-choices", async (MigrationChoiceInput input, HttpContext context, MigrationChoices choices,
                    CancellationToken ct) =>
                Answer(await choices.ChooseAsync(input, Actor(context), ct), "choice", TypedResults.Ok))
            .RequireAuthorization()
            .WithTags("Migrations")
            .WithSummary("A namespace owner's answer for a notebook: migrate=true moves it in the next maintenance window, false means they start a new one (audited).");
        return endpoints;
    }
}
