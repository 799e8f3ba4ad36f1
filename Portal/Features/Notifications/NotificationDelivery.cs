using Microsoft.EntityFrameworkCore;
using Portal.Core.Jobs;
using Portal.Core.Notifications;
using Portal.Data;

namespace Portal.Features.Notifications;

/// <summary>What one delivery run did, for the job history.</summary>
/// <param name="ChannelsOff">Channels that are not configured, with the number of due messages waiting on each.</param>
public sealed record DeliveryRunSummary(
    int Sent, int Retrying, int Failed, int Rejected, IReadOnlyList<(string Channel, int Waiting)> ChannelsOff, IReadOnlyList<string> ChannelsDown)
{
    public string Describe()
    {
        var text = $"Sent {Sent}, retrying {Retrying}, failed {Failed}, rejected {Rejected}.";
        foreach (var (channel, waiting) in ChannelsOff)
        {
            text += $" {channel} is off: {waiting} {(waiting == 1 ? "message waits" : "messages wait")} until it is configured.";
        }

        foreach (var channel in ChannelsDown)
        {
            text += $" {channel} could not be reached: the rest of its messages wait for the next run.";
        }

        return text;
    }
}

/// <summary>
/// Sends what the outbox holds: every due Pending message, oldest first, in bounded batches, through the sender of its
/// channel. Each message is claimed before it is sent (so a second replica or an admin's "send now" cannot send it
/// too) and its outcome saved at once, so a run that dies half-way never sends again what it recorded as sent.
/// </summary>
public sealed class NotificationDelivery(
    IDbContextFactory<PortalDbContext> contexts,
    IEnumerable<INotificationSender> senders,
    TimeProvider clock,
    ILogger<NotificationDelivery> logger)
{
    public const int BatchSize = 50;

    /// <summary>Messages one run sends at most; the rest wait a minute for the next run rather than hold the job for hours.</summary>
    public const int MaxPerRun = 1_000;

    /// <summary>How long a claimed message is left alone by others; a process that died mid-send leaves it due again after this.</summary>
    public static readonly TimeSpan Claim = TimeSpan.FromMinutes(10);

    private readonly IReadOnlyDictionary<NotificationChannel, INotificationSender> _senders = senders.ToDictionary(s => s.Channel);

    public bool IsConfigured(NotificationChannel channel) => _senders.TryGetValue(channel, out var sender) && sender.IsConfigured;

    public string Describe(NotificationChannel channel) => _senders.TryGetValue(channel, out var sender) ? sender.Describe() : "no sender";

    public async Task<DeliveryRunSummary> DeliverDueAsync(IJobProgress? progress, CancellationToken cancellationToken)
    {
        var started = clock.GetUtcNow();
        var off = Enum.GetValues<NotificationChannel>().Where(c => !IsConfigured(c)).ToList();
        var down = new List<NotificationChannel>();
        var counts = new Dictionary<DeliveryStatus, int>();
        var retrying = 0;
        var done = 0;
        var offWaiting = new List<(string, int)>();
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            foreach (var channel in off)
            {
                var waiting = await db.OutgoingMessages.CountAsync(
                    m => m.Channel == channel && m.Status == DeliveryStatus.Pending && m.NextAttemptAt <= started, cancellationToken);
                if (waiting > 0)
                {
                    offWaiting.Add((ChannelName(channel), waiting));
                }
            }

            var skipped = off.ToList();
            var total = await Due(db, started, skipped).CountAsync(cancellationToken);
            while (done < MaxPerRun)
            {
                var batch = await Due(db, started, skipped)
                    .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id)
                    .Select(m => new { m.Id, m.Channel })
                    .Take(Math.Min(BatchSize, MaxPerRun - done))
                    .ToListAsync(cancellationToken);
                if (batch.Count == 0)
                {
                    break;
                }

                foreach (var due in batch)
                {
                    if (skipped.Contains(due.Channel))
                    {
                        continue;
                    }

                    var outcome = await DeliverOneAsync(due.Id, requireDue: started, cancellationToken);
                    done++;
                    if (outcome is null)
                    {
                        continue;
                    }

                    var (message, result) = outcome.Value;
                    if (message.Status == DeliveryStatus.Pending)
                    {
                        retrying++;
                    }
                    else
                    {
                        counts[message.Status] = counts.GetValueOrDefault(message.Status) + 1;
                    }

                    if (result?.Outcome == DeliveryOutcome.ChannelUnavailable && !skipped.Contains(message.Channel))
                    {
                        // One timeout per run is enough to learn the server is down; the others would each wait as long.
                        skipped.Add(message.Channel);
                        down.Add(message.Channel);
                    }

                    if (progress is not null)
                    {
                        await progress.ReportAsync(done, Math.Max(total, done), cancellationToken);
                    }
                }
            }
        }

        return new DeliveryRunSummary(
            counts.GetValueOrDefault(DeliveryStatus.Sent), retrying, counts.GetValueOrDefault(DeliveryStatus.Failed),
            counts.GetValueOrDefault(DeliveryStatus.Rejected), offWaiting, down.Select(ChannelName).ToList());
    }

    /// <summary>Sends one Pending message now, whatever its next attempt time (an admin's test); null when it is not Pending or another sender holds it.</summary>
    public async Task<OutgoingMessageView?> DeliverNowAsync(long id, CancellationToken cancellationToken)
    {
        var outcome = await DeliverOneAsync(id, requireDue: null, cancellationToken);
        return outcome is { } done ? OutgoingMessageView.From(done.Message) : null;
    }

    public static string ChannelName(NotificationChannel channel) => channel == NotificationChannel.Email ? "Email" : "The webhook";

    private static IQueryable<OutgoingMessage> Due(PortalDbContext db, DateTimeOffset now, List<NotificationChannel> skipped) =>
        db.OutgoingMessages.Where(m => m.Status == DeliveryStatus.Pending && m.NextAttemptAt <= now && !skipped.Contains(m.Channel));

    private async Task<(OutgoingMessage Message, DeliveryResult? Result)?> DeliverOneAsync(
        long id, DateTimeOffset? requireDue, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var message = await db.OutgoingMessages.SingleOrDefaultAsync(m => m.Id == id, cancellationToken);
        if (message is null || message.Status != DeliveryStatus.Pending || (requireDue is { } due && message.NextAttemptAt > due))
        {
            return null;
        }

        var now = clock.GetUtcNow();
        if (message.Channel == NotificationChannel.Email
            && await db.RejectedAddresses.AsNoTracking().SingleOrDefaultAsync(a => a.Address == message.Recipient, cancellationToken) is { } rejected)
        {
            message.Suppressed($"Not sent: the mail server refused {rejected.Address} on {rejected.LastRejectedAt:yyyy-MM-dd HH:mm} UTC ({rejected.Reason}). "
                + "An admin can clear the address under Settings → Notifications.", now);
            await db.SaveChangesAsync(cancellationToken);
            return (message, null);
        }

        if (!_senders.TryGetValue(message.Channel, out var sender) || !sender.IsConfigured)
        {
            return null;
        }

        // The claim: only the caller whose update matched the row as it was read may send it.
        var seen = message.NextAttemptAt;
        var claimed = await db.OutgoingMessages
            .Where(m => m.Id == id && m.Status == DeliveryStatus.Pending && m.NextAttemptAt == seen)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.NextAttemptAt, now + Claim), cancellationToken);
        if (claimed == 0)
        {
            return null;
        }

        DeliveryResult result;
        try
        {
            result = await sender.SendAsync(message, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A sender is meant to classify its failures; anything it did not foresee is tried again rather than lost.
            logger.LogError(e, "Sending message {MessageId} failed unexpectedly", id);
            result = new DeliveryResult(DeliveryOutcome.RetryLater, e.Message);
        }

        now = clock.GetUtcNow();
        switch (result.Outcome)
        {
            case DeliveryOutcome.Sent:
                message.Delivered(now);
                break;
            case DeliveryOutcome.Failed:
                message.GaveUp(result.Error ?? "Failed.", now);
                break;
            case DeliveryOutcome.RecipientRejected:
                var reason = result.Error ?? "Refused by the mail server.";
                message.RecipientRejected(reason, now);
                var known = await db.RejectedAddresses.SingleOrDefaultAsync(a => a.Address == message.Recipient, cancellationToken);
                if (known is null)
                {
                    db.RejectedAddresses.Add(RejectedAddress.Record(message.Recipient, reason, now));
                }
                else
                {
                    known.RejectedAgain(reason, now);
                }

                break;
            default:
                message.FailedToDeliver(result.Error ?? "Not delivered.", now);
                break;
        }

        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation(
            "Message {MessageId} ({Kind}) to {Recipient} over {Channel}: {Status} after {Attempts} attempt(s)",
            id, message.Kind, message.Recipient, message.Channel, message.Status, message.Attempts);
        return (message, result);
    }
}
