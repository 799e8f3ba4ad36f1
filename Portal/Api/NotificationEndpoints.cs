using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Core.Notifications;
using Portal.Features.Notifications;
using Portal.Security;

namespace Portal.Api;

/// <summary>
/// The delivery log: every message for admins, each person's own emails for them. Filters that name no status, kind
/// or channel are problem+json naming the values that exist.
/// </summary>
public static class NotificationEndpoints
{
    public static IEndpointRouteBuilder MapNotificationEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var log = endpoints.MapGroup("/api/v1/notifications").RequireAuthorization(PortalPolicies.Admin).WithTags("Notifications");
        log.MapGet("/", SearchAsync).WithSummary("Messages in the delivery log (emails and webhook posts), newest first, a page at a time.");
        log.MapGet("/export", ExportAsync).WithSummary("Every message in the delivery log matching the filter, newest first, as CSV.");
        log.MapGet("/{id:long}", async Task<Results<Ok<OutgoingMessageDetail>, ProblemHttpResult>> (long id, NotificationLog messages, CancellationToken ct) =>
                await messages.GetAsync(id, ct) is { } detail ? TypedResults.Ok(detail) : NotFound(id))
            .WithSummary("One message with its body.");

        var mine = endpoints.MapGroup("/api/v1/me/notifications").RequireAuthorization().WithTags("Notifications");
        mine.MapGet("/", async Task<Results<Ok<NotificationPage>, ValidationProblem>> (
                    HttpContext context, NotificationLog messages, int? skip, int? take, CancellationToken ct) =>
                PageErrors(skip, take) is { } errors
                    ? TypedResults.ValidationProblem(errors)
                    : TypedResults.Ok(await messages.MineAsync(PortalUser.From(context.User)?.Email, skip ?? 0, take ?? 50, ct)))
            .WithSummary("The emails the portal sent (or is sending) to the caller's address, newest first.");
        mine.MapGet("/{id:long}", async Task<Results<Ok<OutgoingMessageDetail>, ProblemHttpResult>> (
                    long id, HttpContext context, NotificationLog messages, CancellationToken ct) =>
                await messages.GetMineAsync(PortalUser.From(context.User)?.Email, id, ct) is { } detail ? TypedResults.Ok(detail) : NotFound(id))
            .WithSummary("One of the caller's own emails with its body.");
        return endpoints;
    }

    private static async Task<Results<Ok<NotificationPage>, ValidationProblem>> SearchAsync(
        NotificationLog messages, string? status, string? recipient, string? kind, string? channel, int? skip, int? take, CancellationToken cancellationToken)
    {
        var errors = PageErrors(skip, take) ?? new Dictionary<string, string[]>();
        var parsedStatus = Parse<DeliveryStatus>(status, "status", errors);
        var parsedKind = Parse<NotificationKind>(kind, "kind", errors);
        var parsedChannel = Parse<NotificationChannel>(channel, "channel", errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return TypedResults.Ok(await messages.SearchAsync(
            new NotificationFilter(parsedStatus, recipient, parsedKind, parsedChannel), skip ?? 0, take ?? 50, cancellationToken));
    }

    private static async Task<IResult> ExportAsync(
        HttpContext context, NotificationLog messages, TimeProvider clock, string? status, string? recipient, string? kind, string? channel,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var filter = new NotificationFilter(Parse<DeliveryStatus>(status, "status", errors), recipient, Parse<NotificationKind>(kind, "kind", errors),
            Parse<NotificationChannel>(channel, "channel", errors));
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"delivery-log-{clock.GetUtcNow():yyyyMMdd-HHmmss}.csv\"";
        await messages.WriteCsvAsync(filter, context.Response.Body, cancellationToken);
        return TypedResults.Empty;
    }

    private static Dictionary<string, string[]>? PageErrors(int? skip, int? take)
    {
        var errors = new Dictionary<string, string[]>();
        if (skip < 0)
        {
            errors["skip"] = ["skip must be zero or more."];
        }

        if (take is < 1 or > NotificationLog.MaxPageSize)
        {
            errors["take"] = [$"take must be between 1 and {NotificationLog.MaxPageSize}."];
        }

        return errors.Count > 0 ? errors : null;
    }

    private static TEnum? Parse<TEnum>(string? value, string field, Dictionary<string, string[]> errors)
        where TEnum : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        // Names only: "2" must not quietly mean the third status.
        if (!int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out _) && Enum.TryParse<TEnum>(value.Trim(), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed))
        {
            return parsed;
        }

        errors[field] = [$"'{value}' is not a {field}. Use one of: {string.Join(", ", Enum.GetNames<TEnum>())}."];
        return null;
    }

    private static ProblemHttpResult NotFound(long id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"There is no message {id} here.");
}
