using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Core.Lifecycle;
using Portal.Features.Jobs;
using Portal.Features.Lifecycle;
using Portal.Jobs;
using Portal.Security;

namespace Portal.Api;

/// <summary>The plan now, with every image that has an EOL date, the actions and what was left out.</summary>
public sealed record PlanView(
    DateTimeOffset ComputedAt, int PolicyVersion, IReadOnlyDictionary<LifecycleState, int> ImagesByState, IReadOnlyList<ImageLifecycle> Images,
    IReadOnlyList<PlannedAction> Actions, IReadOnlyList<KeptItem> Kept, double LoadMilliseconds, double DecideMilliseconds);

public sealed record HoldExtension(DateTimeOffset Until);

/// <summary>A decision on a planned action, named by its idempotency key.</summary>
public sealed record ActionDecision(string Key, string? Note);

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

        var actions = endpoints.MapGroup("/api/v1/plan").RequireAuthorization(PortalPolicies.Governance).WithTags("Lifecycle");
        actions.MapPost("/approve", (ActionDecision body, HttpContext context, LifecycleActions service, CancellationToken ct) =>
                DecideAsync(body, approve: true, context, service, ct))
            .WithSummary("Approves a planned RequireApproval action by its key (not by whoever set the image's EOL by hand; audited).");
        actions.MapPost("/reject", (ActionDecision body, HttpContext context, LifecycleActions service, CancellationToken ct) =>
                DecideAsync(body, approve: false, context, service, ct))
            .WithSummary("Rejects a planned RequireApproval action by its key (audited).");
        actions.MapGet("/actions", (int? take, LifecycleActions service, CancellationToken ct) => service.RecentAsync(Math.Clamp(take ?? 100, 1, 1_000), ct))
            .WithSummary("Decisions and executions, most recent first.");
        actions.MapGet("/difference", async (LifecyclePlanner planner, LifecycleActions service, CancellationToken ct) =>
            {
                var difference = await service.DifferenceAsync((await planner.PlanAsync(ct)).Plan, ct);
                return new { LastExecuted = difference.Last is { } last ? new { last.ExecutedAt, last.ExecutedBy, last.PolicyVersion, last.Done, last.Skipped, last.Failed } : null,
                    difference.Added, difference.Removed, difference.Unchanged };
            })
            .WithSummary("How the plan now differs from the plan last carried out.");
        actions.MapPost("/execute", async (HttpContext context, JobsOverview jobs, CancellationToken ct) =>
            {
                await jobs.RunNowAsync(LifecycleJob.Name, Actor(context), ct, new Dictionary<string, string> { [LifecycleJob.IgnoreWindowKey] = "true" });
                return TypedResults.Accepted("/api/v1/jobs");
            })
            .RequireAuthorization(PortalPolicies.Admin)
            .WithSummary("Starts the lifecycle job now, outside the maintenance window: approved and automatic actions, each re-checked (audited).");
        return endpoints;
    }

    private static async Task<Results<Ok<PolicySaveResult>, ValidationProblem, Conflict<PolicySaveResult>>> SavePolicyAsync(
        LifecyclePolicy policy, HttpContext context, LifecyclePolicies policies, CancellationToken cancellationToken)
    {
        var result = await policies.SaveAsync(policy, Actor(context), cancellationToken);
        return result.Succeeded ? TypedResults.Ok(result)
            : result.Conflict ? TypedResults.Conflict(result)
            : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["policy"] = [.. result.Errors] });
    }

    private static async Task<Results<Ok<ActionDecisionResult>, NotFound<ActionDecisionResult>, ValidationProblem>> DecideAsync(
        ActionDecision body, bool approve, HttpContext context, LifecycleActions service, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(body.Key))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["key"] = ["Name the action by its key (the plan lists them)."] });
        }

        var result = await service.DecideAsync(body.Key, approve, body.Note, Actor(context), cancellationToken);
        return result.Succeeded ? TypedResults.Ok(result)
            : result.Missing ? TypedResults.NotFound(result)
            : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["action"] = [.. result.Errors] });
    }

    // A failed change is a validation problem naming what is wrong (or 404 for a hold that does not exist); nothing was stored.
    private static Results<Ok<HoldResult>, NotFound, ValidationProblem> Answer(HoldResult result) =>
        result.Succeeded ? TypedResults.Ok(result) : result.Missing ? TypedResults.NotFound() : Invalid(result);

    private static ValidationProblem Invalid(HoldResult result) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["hold"] = [.. result.Errors] });

    private static string Actor(HttpContext context) => PortalUser.From(context.User)!.SignInName;
}
