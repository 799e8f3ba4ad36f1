using System.Text.Json;
using Portal.Core.Notifications;

namespace Portal.Features.Notifications;

/// <summary>What the webhook receives: one JSON object a chat relay can turn into a message.</summary>
public static class WebhookPayload
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    /// <summary>{"kind", "subject", "text", "link", "items": [...]}.</summary>
    public static string Json(NotificationKind kind, string subject, string text, string? link, IReadOnlyList<string> items) =>
        JsonSerializer.Serialize(new Payload(kind.ToString(), subject, text.Trim(), link, items), Options);

    private sealed record Payload(string Kind, string Subject, string Text, string? Link, IReadOnlyList<string> Items);
}
