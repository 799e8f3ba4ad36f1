using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Core.Lifecycle;
using Portal.Features.Lifecycle;
using Portal.Security;

namespace Portal.Api;

/// <summary>The plan now, with every image that has an EOL date, the actions and what was left out.</summary>
public sealed record PlanView(
    DateTimeOffset ComputedAt, int PolicyVersion, IReadOnlyDictionary<LifecycleState, int> ImagesByState, IReadOnlyList<ImageLifecycle> Images,
    IReadOnlyList<PlannedAction> Actions, IReadOnlyList<KeptItem> Kept, double LoadMilliseconds, double DecideMilliseconds);

public sealed record HoldExtension(DateTimeOffset Until);

/// <summary>Lifecycle policy (admins edit), holds (approvers and admins), and the plan (read by both).</summary>
public static class LifecycleEndpoints
{
    public static IEndpointRouteBuilder MapLifecycleEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var policy = endpoints.MapGroup("/api/v1/lifecycle/policy").RequireAuthorization(PortalPolicies.Governance).WithTags("Lifecycle");
        policy.MapGet("/", (LifecyclePolicies policies, CancellationToken ct) => policies.CurrentAsync(ct))
            .WithSummary("The current lifecycle policy (version 0: the defaults, never saved).");
        policy.MapGet("/history", async (LifecyclePolicies policies, CancellationToken ct) =>
                (await policies.HistoryAsync(ct)).Select(v => new { v.Version, v.SavedBy, v.SavedAt, Policy = v.Policy() }))
            .WithSummary("Every saved version, newest first.");
        policy.MapPut("/", SavePolicyAsync).RequireAuthorization(PortalPolicies.Admin)
            .WithSummary("Saves the policy as the next version; its Version must be the one it was edited from (audited).");

        var holds = endpoints.MapGroup("/api/v1/holds").RequireAuthorization(PortalPolicies.Governance).WithTags("Lifecycle");
        holds.MapGet("/", (bool? active, Holds service, CancellationToken ct) => service.ListAsync(active ?? true, ct))
            .WithSummary("Holds, newest first; only active ones unless active=false.");
        holds.MapPost("/", async Task<Results<Created<HoldResult>, ValidationProblem>> (HoldInput input, HttpContext context, Holds service, CancellationToken ct) =>
            {
                var result = await service.PlaceAsync(input, Actor(context), ct);
                return result.Succeeded ? TypedResults.Created($"/api/v1/holds/{result.Id}", result) : Invalid(result);
            })
            .WithSummary("Places a hold on an image, repository or workload (audited).");
        holds.MapPost("/{id:long}/extend", async (long id, HoldExtension body, HttpContext context, Holds service, CancellationToken ct) =>
                Answer(await service.ExtendAsync(id, body.Until, Actor(context), ct)))
            .WithSummary("Moves a hold's end later, within policy (audited).");
        holds.MapPost("/{id:long}/lift", async (long id, HttpContext context, Holds service, CancellationToken ct) =>
                Answer(await service.LiftAsync(id, Actor(context), ct)))
            .WithSummary("Ends a hold now (audited).");

        endpoints.MapGet("/api/v1/plan", async (LifecyclePlanner planner, CancellationToken ct) =>
            {
                var result = await planner.PlanAsync(ct);
                var plan = result.Plan;
                return new PlanView(plan.ComputedAt, plan.PolicyVersion,
                    plan.Images.GroupBy(i => i.State).ToDictionary(g => g.Key, g => g.Count()),
                    [.. plan.Images.Where(i => i.Eol is not null || i.State == LifecycleState.Held)],
                    plan.Actions, plan.Kept, result.LoadTime.TotalMilliseconds, result.DecideTime.TotalMilliseconds);
            })
            .RequireAuthorization(PortalPolicies.Governance).WithTags("Lifecycle")
            .WithSummary("The plan computed now from the current policy.");
        return endpoints;
    }

    private static async Task<Results<Ok<PolicySaveResult>, ValidationProblem, Conflict<PolicySaveResult>>> SavePolicyAsync(
        LifecyclePolicy policy, HttpContext context, LifecyclePolicies policies, CancellationToken cancellationToken)
    {
        var errors = policy.Validate();
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["policy"] = [.. errors] });
        }

        var result = await policies.SaveAsync(policy, Actor(context), cancellationToken);
        return result.Succeeded ? TypedResults.Ok(result) : TypedResults.Conflict(result);
    }

    // A failed change is a validation problem naming what is wrong (or 404 for a hold that does not exist); nothing was stored.
    private static Results<Ok<HoldResult>, NotFound, ValidationProblem> Answer(HoldResult result) =>
        result.Succeeded ? TypedResults.Ok(result) : result.Missing ? TypedResults.NotFound() : Invalid(result);

    private static ValidationProblem Invalid(HoldResult result) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["hold"] = [.. result.Errors] });

    private static string Actor(HttpContext context) => PortalUser.From(context.User)!.SignInName;
}
