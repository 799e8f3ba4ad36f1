using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Core.Lifecycle;
using Portal.Features.Lifecycle;
using Portal.Security;

namespace Portal.Api;

/// <summary>An image's lifecycle as the plan sees it, and the EOL date an admin set by hand, if any.</summary>
public sealed record ImageLifecycleView(ImageLifecycle? Lifecycle, ManualEol? ManualEol);

/// <summary>
/// EOL dates set by hand (admins) and extension requests: workload owners ask and withdraw, approvers and admins grant
/// or refuse. A refused change is problem+json naming the problem; nothing is stored.
/// </summary>
public static class LifecycleRequestEndpoints
{
    public static IEndpointRouteBuilder MapLifecycleRequestEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var images = endpoints.MapGroup("/api/v1/images/{id:long}").RequireAuthorization(PortalPolicies.Governance).WithTags("Lifecycle");
        images.MapGet("/lifecycle", async (long id, ImageLifecycles lifecycles, ManualEols eols, CancellationToken ct) =>
                new ImageLifecycleView((await lifecycles.OfAsync([id], ct)).GetValueOrDefault(id), await eols.GetAsync(id, ct)))
            .WithSummary("The image's state, EOL date and why, as the plan says now, with any EOL date set by hand.");
        images.MapPut("/eol", async (long id, ManualEolInput input, HttpContext context, ManualEols eols, CancellationToken ct) =>
                Answer(await eols.SetAsync(id, input, Actor(context).Name, ct), "eol", TypedResults.Ok))
            .RequireAuthorization(PortalPolicies.Admin)
            .WithSummary("Sets or changes the image's EOL date by hand, with the reason (audited).");
        images.MapDelete("/eol", async (long id, HttpContext context, ManualEols eols, CancellationToken ct) =>
                Answer(await eols.ClearAsync(id, Actor(context).Name, ct), "eol", _ => TypedResults.NoContent()))
            .RequireAuthorization(PortalPolicies.Admin)
            .WithSummary("Clears the EOL date set by hand; the image's findings decide again (audited).");

        var requests = endpoints.MapGroup("/api/v1/extension-requests").RequireAuthorization().WithTags("Lifecycle");
        requests.MapGet("/", async (bool? mine, HttpContext context, Extensions extensions, CancellationToken ct) =>
                PortalUser.From(context.User) is { IsAdmin: true } or { IsApprover: true } && mine != true
                    ? await extensions.PendingAndRecentAsync(ct)
                    : await extensions.OfRequesterAsync(Actor(context).Name, ct))
            .WithSummary("Approvers and admins: waiting requests and those decided in the last 30 days (mine=true: their own). Others: their own.");
        requests.MapPost("/", async (ExtensionInput input, HttpContext context, Extensions extensions, CancellationToken ct) =>
                Answer(await extensions.RequestAsync(input, Actor(context), ct), "request",
                    r => TypedResults.Created($"/api/v1/extension-requests/{r.Id}", r)))
            .WithSummary("Asks for more time on an image past its EOL for a workload in a namespace the caller owns (audited).");
        requests.MapPost("/{id:long}/grant", async (long id, ExtensionGrant? grant, HttpContext context, Extensions extensions, CancellationToken ct) =>
                Answer(await extensions.GrantAsync(id, grant ?? new ExtensionGrant(null, null), Actor(context), ct), "request", TypedResults.Ok))
            .RequireAuthorization(PortalPolicies.Governance)
            .WithSummary("Grants a waiting request until the wanted date or an earlier one; never the caller's own (audited).");
        requests.MapPost("/{id:long}/refuse", async (long id, ExtensionRefusal refusal, HttpContext context, Extensions extensions, CancellationToken ct) =>
                Answer(await extensions.RefuseAsync(id, refusal, Actor(context), ct), "request", TypedResults.Ok))
            .RequireAuthorization(PortalPolicies.Governance)
            .WithSummary("Refuses a waiting request with a note for the owner (audited).");
        requests.MapPost("/{id:long}/withdraw", async (long id, HttpContext context, Extensions extensions, CancellationToken ct) =>
                Answer(await extensions.WithdrawAsync(id, Actor(context), ct), "request", TypedResults.Ok))
            .WithSummary("Withdraws a waiting request; only whoever asked may (audited).");
        return endpoints;
    }

    // 404 for what does not exist, 403 for what the caller may not do, 400 for everything else that is wrong.
    internal static Results<TSuccess, ValidationProblem, ProblemHttpResult> Answer<TSuccess>(
        LifecycleChangeResult result, string field, Func<LifecycleChangeResult, TSuccess> success)
        where TSuccess : IResult =>
        result.Succeeded ? success(result)
        : result.Missing ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: string.Join(" ", result.Errors))
        : result.Forbidden ? TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed", detail: string.Join(" ", result.Errors))
        : TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [.. result.Errors] });

    internal static Requester Actor(HttpContext context)
    {
        var user = PortalUser.From(context.User)!;
        return new Requester(user.SignInName, user.Email);
    }
}
