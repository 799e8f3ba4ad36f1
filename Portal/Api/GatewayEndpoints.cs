using Portal.Features.Gateway;
using Portal.Security;
using static Portal.Api.LifecycleRequestEndpoints;

namespace Portal.Api;

/// <summary>A remote as the API lists it, with the address clients use.</summary>
public sealed record RemoteView(
    long Id, string Name, string Kind, string Policy, string UpstreamUrl, string? FilesUrl, long MaxFileBytes,
    IReadOnlyList<string> AllowedPathPatterns, string ReadAccess, string Address);

/// <summary>Admins' gateway API: remotes, the Immediate sync, and the scan queue.</summary>
public static class GatewayEndpoints
{
    public static IEndpointRouteBuilder MapGatewayEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var gateway = endpoints.MapGroup("/api/v1/gateway").RequireAuthorization(PortalPolicies.Admin).WithTags("Content gateway");
        gateway.MapGet("/remotes", async (HttpContext context, GatewayRemotes remotes, CancellationToken ct) =>
                (await remotes.ListAsync(ct)).Select(r => new RemoteView(r.Id, r.Name, r.Kind.ToString(), r.Policy.ToString(), r.UpstreamUrl, r.FilesUrl,
                    r.MaxFileBytes, r.AllowedPathPatterns, r.ReadAccess.ToString(),
                    $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}{ContentEndpoints.Prefix}{r.Name}/"
                    + (r.Kind == Core.Gateway.RemoteKind.PyPi ? "simple/" : ""))).ToList())
            .WithSummary("The configured remotes and the address clients use for each.");
        gateway.MapPost("/remotes/{remote}/sync", async (string remote, SyncRequest request, HttpContext context, GatewayRemotes remotes, ImmediateSync sync,
                CancellationToken ct) =>
            {
                var found = await remotes.FindAsync(remote, ct);
                if (found is null)
                {
                    return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown remote", detail: $"No gateway remote is named '{remote}'.");
                }

                if (ImmediateSync.Validate(found, request) is { } invalid)
                {
                    return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Sync refused", detail: invalid);
                }

                return Results.Ok(await sync.RunAsync(found, request, Actor(context).Name, ct));
            })
            .WithSummary("Fetches the listed paths, or every file of the listed PyPI projects, scans them in batches and keeps the clean ones; reports infected and failed files.");
        gateway.MapGet("/queue", (ScanQueue queue) => new { depth = queue.Depth, scanning = queue.Scanning, capacity = queue.Capacity, scansStarted = queue.ScansStarted })
            .WithSummary("The scan queue right now: admitted downloads and scans, scans running, capacity.");
        return endpoints;
    }
}
