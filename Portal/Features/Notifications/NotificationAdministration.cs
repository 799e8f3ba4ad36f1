using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using Portal.Core.Auditing;
using Portal.Core.Notifications;
using Portal.Data;
using Portal.Features.Audit;

namespace Portal.Features.Notifications;

public sealed record RejectedAddressView(long Id, string Address, string Reason, DateTimeOffset FirstRejectedAt, DateTimeOffset LastRejectedAt, int Rejections);

/// <summary>The outcome of a test send: the message as the delivery left it, or why nothing was queued.</summary>
public sealed record TestSendResult(OutgoingMessageView? Message, string? Error)
{
    public bool Delivered => Message?.Status == DeliveryStatus.Sent;
}

/// <summary>What admins do under Settings → Notifications: send test messages, and clear refused addresses. Both audited.</summary>
public sealed class NotificationAdministration(
    IDbContextFactory<PortalDbContext> contexts,
    NotificationDelivery delivery,
    IOptions<NotificationOptions> options,
    AuditLog audit,
    TimeProvider clock)
{
    public async Task<TestSendResult> SendTestEmailAsync(string? to, string actor, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(to) || !MailboxAddress.TryParse(to.Trim(), out var address) || !address.Address.Contains('@', StringComparison.Ordinal))
        {
            return new TestSendResult(null, $"'{to}' is not an email address.");
        }

        if (!delivery.IsConfigured(NotificationChannel.Email))
        {
            return new TestSendResult(null, "Email is off: set Smtp:Host (and Smtp:Port) and restart the portal.");
        }

        var now = clock.GetUtcNow();
        var portal = options.Value.PortalUrl;
        var html = $"""
            <p>This is a test message from the image governance portal, sent by {WebUtility.HtmlEncode(actor)} at {now:yyyy-MM-dd HH:mm:ss} UTC.</p>
            <p>If you can read it, the portal's email settings work. <a href="{WebUtility.HtmlEncode(portal)}">Open the portal</a>.</p>
            """;
        var text = $"This is a test message from the image governance portal, sent by {actor} at {now:yyyy-MM-dd HH:mm:ss} UTC.\n\n"
            + $"If you can read it, the portal's email settings work. The portal: {portal}\n";
        return await QueueAndSendAsync(
            NotificationChannel.Email, address.Address, "Test message from the image governance portal", html, text, actor, cancellationToken);
    }

    public async Task<TestSendResult> SendTestWebhookAsync(string actor, CancellationToken cancellationToken)
    {
        if (!delivery.IsConfigured(NotificationChannel.Webhook))
        {
            return new TestSendResult(null, "The webhook is off: set Notifications:Webhook:Url and Secret and restart the portal.");
        }

        var now = clock.GetUtcNow();
        var body = JsonSerializer.Serialize(new
        {
            kind = "test",
            text = $"Test message from the image governance portal, sent by {actor}.",
            sentBy = actor,
            at = now,
            portalUrl = options.Value.PortalUrl,
        });
        return await QueueAndSendAsync(
            NotificationChannel.Webhook, options.Value.Webhook.Name, "Test message from the image governance portal", body, null, actor, cancellationToken);
    }

    public async Task<IReadOnlyList<RejectedAddressView>> RejectedAddressesAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.RejectedAddresses.AsNoTracking()
            .OrderBy(a => a.Address)
            .Select(a => new RejectedAddressView(a.Id, a.Address, a.Reason, a.FirstRejectedAt, a.LastRejectedAt, a.Rejections))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Messages to the address are sent again from now on (those already marked Rejected stay so).</summary>
    public async Task<bool> ClearRejectedAddressAsync(long id, string actor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var address = await db.RejectedAddresses.SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (address is null)
        {
            return false;
        }

        db.RejectedAddresses.Remove(address);
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(AuditActorKind.Person, actor, AuditActions.RejectedAddressCleared, address.Address,
            $"rejected since {address.FirstRejectedAt:yyyy-MM-dd HH:mm} UTC: {address.Reason}", "cleared", cancellationToken);
        return true;
    }

    private async Task<TestSendResult> QueueAndSendAsync(
        NotificationChannel channel, string recipient, string subject, string body, string? text, string actor, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        // Each test is its own message: the key names the moment and a random part, so two tests in one second are both sent.
        var key = string.Create(CultureInfo.InvariantCulture, $"test:{channel.ToString().ToLowerInvariant()}:{recipient}:{now:yyyyMMddHHmmss}:{Guid.NewGuid():N}");
        var message = OutgoingMessage.Queue(key, NotificationKind.Test, channel, recipient, subject, body, text, now);
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            db.OutgoingMessages.Add(message);
            await db.SaveChangesAsync(cancellationToken);
        }

        var delivered = await delivery.DeliverNowAsync(message.Id, cancellationToken);
        await audit.RecordAsync(AuditActorKind.Person, actor, AuditActions.NotificationTestSent, $"{channel} {message.Recipient}", null,
            delivered is null ? "queued" : $"{delivered.Status}{(delivered.LastError is null ? "" : $": {delivered.LastError}")}", cancellationToken);
        return new TestSendResult(delivered ?? OutgoingMessageView.From(message), null);
    }
}
