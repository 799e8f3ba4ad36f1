using System.Buffers;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Portal.Core.Admission;
using Portal.Features.Admission;
using Portal.Security;

namespace Portal.Api;

/// <summary>
/// The validating admission webhook the Kubernetes API server calls for pods.
/// <para>
/// Authentication: the API server cannot sign in, and presenting a client certificate to webhooks is optional in
/// Kubernetes, so the endpoint is anonymous, like most admission webhooks. What protects it is that it only answers
/// (it never changes anything but its decision log), that it is reachable on the cluster network through the
/// configured service, and that with Admission:RequireTls (the default) it answers only over HTTPS with the
/// configured certificate, which the API server checks against the caBundle: plain http gets 404.
/// </para>
/// </summary>
public static class AdmissionEndpoints
{
    public const string ValidatePath = "/api/v1/admission/validate";

    public static IEndpointRouteBuilder MapAdmissionEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(ValidatePath, ValidateAsync)
            .AllowAnonymous()
            .DisableAntiforgery()
            .WithTags("Admission")
            .WithSummary("Validates a pod (admission.k8s.io/v1 AdmissionReview): refuses expired or infected images per the admission policy.")
            .Accepts<object>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        var decisions = endpoints.MapGroup("/api/v1/admission").RequireAuthorization(PortalPolicies.Governance).WithTags("Admission");
        decisions.MapGet("/decisions", ListDecisionsAsync).WithSummary("Recorded refusals and warnings, newest first, a page at a time.");
        decisions.MapGet("/decisions/export", ExportDecisionsAsync).WithSummary("Every recorded refusal and warning matching the filter, as CSV.");
        decisions.MapGet("/would-refuse", async Task<Results<Ok<IReadOnlyList<WouldRefuseLine>>, ValidationProblem>> (
                int? days, AdmissionDecisions log, TimeProvider clock, CancellationToken ct) =>
                days is < 1 or > 365
                    ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["days"] = ["days must be between 1 and 365."] })
                    : TypedResults.Ok(await log.WouldHaveRefusedAsync(clock.GetUtcNow().AddDays(-(days ?? 7)), ct)))
            .WithSummary("What Enforce would have refused that Warn let through, by image and workload, over the last days (default 7).");
        return endpoints;
    }

    private static async Task<IResult> ValidateAsync(
        HttpContext context, AdmissionView view, AdmissionDecisions decisions, IOptions<AdmissionOptions> options,
        IOptions<Portal.Features.Notifications.NotificationOptions> notifications, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.RequireTls && !context.Request.IsHttps)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Admission is offered only over HTTPS",
                detail: "Admission:RequireTls is on: call the webhook over HTTPS (Admission:Tls configures the certificate and port).");
        }

        if (context.Request.ContentLength > settings.MaxBodyBytes)
        {
            return TooLarge(settings);
        }

        using var body = await ReadBodyAsync(context.Request, settings.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return TooLarge(settings);
        }

        string uid;
        AdmissionRequest? request;
        string? error;
        try
        {
            (uid, request, error) = AdmissionReviewCodec.Read(body.Memory.Span[..body.Length]);
        }
        catch (AdmissionReviewFormatException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not an AdmissionReview", detail: ex.Message);
        }

        if (request is null)
        {
            // A review the portal cannot judge is refused, never let through unexamined; the message reaches the user.
            return Review(AdmissionReviewCodec.Write(uid, false, StatusCodes.Status400BadRequest, "Image governance portal: " + error, []));
        }

        if (view.Current is not { } index)
        {
            // No view yet: a 503 lets the cluster's failurePolicy decide, which is what its admins chose for an unavailable webhook.
            context.Response.Headers.RetryAfter = "5";
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Admission view not ready",
                detail: "The portal is still building its view of the estate; try again in a few seconds.");
        }

        var now = clock.GetUtcNow();
        // The same address emails link to: one setting says where people reach the portal.
        var portalUrl = notifications.Value.PortalUrl.TrimEnd('/');
        var decision = AdmissionDecider.Decide(request, index, now, portalUrl);
        if (!request.DryRun)
        {
            foreach (var finding in decision.Findings)
            {
                decisions.Enqueue(AdmissionDecisionRecord.From(request, finding, index.Policy.Version, now));
            }
        }

        return Review(AdmissionReviewCodec.Write(uid, decision.Allowed, StatusCodes.Status403Forbidden, decision.Message, decision.Warnings));
    }

    private static async Task<Results<Ok<AdmissionDecisionPage>, ValidationProblem>> ListDecisionsAsync(
        AdmissionDecisions log, AdmissionOutcome? outcome, bool? wouldRefuse, string? ns, int? skip, int? take, CancellationToken cancellationToken)
    {
        if (skip < 0 || take is < 1 or > AdmissionDecisions.MaxPageSize)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["take"] = [$"skip must be zero or more and take between 1 and {AdmissionDecisions.MaxPageSize}."],
            });
        }

        return TypedResults.Ok(await log.RecentAsync(outcome, wouldRefuse ?? false, ns, skip ?? 0, take ?? 50, cancellationToken));
    }

    private static async Task ExportDecisionsAsync(
        HttpContext context, AdmissionDecisions log, TimeProvider clock, AdmissionOutcome? outcome, bool? wouldRefuse, string? ns, CancellationToken cancellationToken)
    {
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"admission-{clock.GetUtcNow():yyyyMMdd-HHmmss}.csv\"";
        await log.WriteCsvAsync(outcome, wouldRefuse ?? false, ns, context.Response.Body, cancellationToken);
    }

    private static IResult Review(byte[] json) => TypedResults.Bytes(json, "application/json");

    private static IResult TooLarge(AdmissionOptions settings) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Review too large",
            detail: $"An AdmissionReview is at most {settings.MaxBodyBytes} bytes (Admission:MaxBodyBytes).");

    /// <summary>The body in a pooled buffer, or null when it is longer than allowed (a body without Content-Length included).</summary>
    private static async Task<PooledBody?> ReadBodyAsync(HttpRequest request, int max, CancellationToken cancellationToken)
    {
        // One byte more than allowed is enough to know a body is too long.
        var limit = max + 1;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(request.ContentLength ?? 16 * 1024, 1024, limit));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, limit) - length), cancellationToken);
                if (read == 0)
                {
                    return new PooledBody(buffer, length);
                }

                length += read;
                if (length > max)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return null;
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    private sealed class PooledBody(byte[] buffer, int length) : IDisposable
    {
        public Memory<byte> Memory => buffer;
        public int Length => length;

        public void Dispose() => ArrayPool<byte>.Shared.Return(buffer);
    }
}
