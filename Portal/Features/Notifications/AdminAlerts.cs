using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Notifications;
using Portal.Data;

namespace Portal.Features.Notifications;

/// <summary>
/// What admins must hear at once, outside the daily summary (a migration path revoked because its target turned
/// vulnerable): the AdminAlert template, queued for each admin recipient and the webhook under
/// "admin-alert:{key}:{recipient}", so calling again with the same key queues nothing.
/// </summary>
public sealed class AdminAlerts(
    IDbContextFactory<PortalDbContext> contexts,
    NotificationTemplates templates,
    IOptions<NotificationOptions> options,
    TimeProvider clock,
    ILogger<AdminAlerts> logger)
{
    public const int MaxKeyLength = 200;

    /// <param name="key">Names what happened, once ("path-revoked:12").</param>
    /// <param name="title">One line: the subject of the alert.</param>
    /// <param name="details">What happened and what admins may want to do.</param>
    /// <param name="link">Where to look: a portal path ("/plan") or a full address.</param>
    /// <returns>How many messages were queued (0 when the key was queued before, or nobody is configured to hear it).</returns>
    public async Task<int> QueueAsync(string key, string title, string details, string? link, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        ArgumentNullException.ThrowIfNull(details);
        if (key.Length > MaxKeyLength)
        {
            throw new ArgumentException($"An alert key is at most {MaxKeyLength} characters.", nameof(key));
        }

        var settings = options.Value;
        var recipients = DailyNotifications.AdminRecipients(settings);
        var webhook = string.IsNullOrWhiteSpace(settings.Webhook.Url) ? null : settings.Webhook.Name.Trim();
        var keys = recipients.Append(webhook).OfType<string>().ToDictionary(r => r, r => $"admin-alert:{key.Trim()}:{r}", StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            logger.LogWarning("Admin alert {Key} was not queued: no admin recipients or webhook are configured", key);
            return 0;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var wanted = keys.Values.ToList();
        var already = (await db.OutgoingMessages.Where(m => wanted.Contains(m.Key)).Select(m => m.Key).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var missing = keys.Where(k => !already.Contains(k.Value)).ToList();
        if (missing.Count == 0)
        {
            return 0;
        }

        var absolute = link is null ? null
            : link.StartsWith('/') ? $"{settings.PortalUrl.TrimEnd('/')}{link}"
            : link;
        var now = clock.GetUtcNow();
        var model = new AdminAlertModel(title.Trim(), details.Trim(), absolute, now.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        var template = await templates.CurrentAsync(NotificationKind.AdminAlert, cancellationToken);
        RenderedNotification rendered;
        try
        {
            rendered = NotificationRenderer.Render(template.Content, model.ToLiquid());
        }
        catch (NotificationTemplateException ex) when (template.Version > 0)
        {
            logger.LogWarning(ex, "Template AdminAlert version {Version} failed to render; the default was used", template.Version);
            rendered = NotificationRenderer.Render(NotificationTemplateDefaults.For(NotificationKind.AdminAlert), model.ToLiquid());
        }

        var queued = 0;
        foreach (var (recipient, messageKey) in missing)
        {
            var message = recipient == webhook
                ? OutgoingMessage.Queue(messageKey, NotificationKind.AdminAlert, NotificationChannel.Webhook, recipient, rendered.Subject,
                    WebhookPayload.Json(NotificationKind.AdminAlert, rendered.Subject, rendered.Text, absolute, [model.Details]), null, now)
                : OutgoingMessage.Queue(messageKey, NotificationKind.AdminAlert, NotificationChannel.Email, recipient, rendered.Subject, rendered.Html,
                    rendered.Text, now);
            db.OutgoingMessages.Add(message);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                queued++;
            }
            catch (DbUpdateException)
            {
                // Queued by a concurrent call with the same key: that one tells this recipient.
                db.Entry(message).State = EntityState.Detached;
            }
        }

        return queued;
    }
}
