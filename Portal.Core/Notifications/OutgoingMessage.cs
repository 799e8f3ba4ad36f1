namespace Portal.Core.Notifications;

public enum NotificationChannel
{
    Email,
    Webhook,
}

public enum NotificationKind
{
    /// <summary>One email per owner per day: each affected workload, its image, EOL and replacement.</summary>
    OwnerDigest,

    /// <summary>The admins' summary of what needs them.</summary>
    AdminSummary,

    /// <summary>Something admins must hear at once (a migration target turned vulnerable and its path was revoked).</summary>
    AdminAlert,

    /// <summary>A test message an admin sent from Settings.</summary>
    Test,
}

public enum DeliveryStatus
{
    /// <summary>Waiting to be sent (first try, or again after a failure once its backoff has passed).</summary>
    Pending,

    Sent,

    /// <summary>Given up after the last attempt.</summary>
    Failed,

    /// <summary>The server refused the recipient's address; not tried again.</summary>
    Rejected,
}

/// <summary>
/// A message in the outbox, and its entry in the delivery log: queued once under a key that names exactly what it tells
/// (so a digest or an alert is never queued twice, across restarts), then sent by the delivery job with retries and
/// backoff while the server is down.
/// </summary>
public sealed class OutgoingMessage
{
    public const int MaxKeyLength = 400;
    public const int MaxSubjectLength = 400;
    public const int MaxErrorLength = 2_000;
    public const int MaxAttempts = 8;

    private OutgoingMessage()
    {
        Key = string.Empty;
        Recipient = string.Empty;
        Subject = string.Empty;
        Body = string.Empty;
    }

    public long Id { get; private set; }

    /// <summary>Unique: "owner-digest:alice@example.com:2026-11-23", "admin-alert:path-revoked:12:admin@example.com".</summary>
    public string Key { get; private set; }

    public NotificationKind Kind { get; private set; }
    public NotificationChannel Channel { get; private set; }

    /// <summary>An email address (lower case), or the webhook's name.</summary>
    public string Recipient { get; private set; }

    public string Subject { get; private set; }

    /// <summary>The HTML body of an email, or the JSON payload of a webhook.</summary>
    public string Body { get; private set; }

    /// <summary>The plain-text alternative of an email.</summary>
    public string? TextBody { get; private set; }

    public DeliveryStatus Status { get; private set; }
    public int Attempts { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset NextAttemptAt { get; private set; }
    public DateTimeOffset? SentAt { get; private set; }
    public string? LastError { get; private set; }

    public static OutgoingMessage Queue(
        string key, NotificationKind kind, NotificationChannel channel, string recipient, string subject, string body, string? textBody, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(recipient);
        return new OutgoingMessage
        {
            Key = key.Length > MaxKeyLength ? key[..MaxKeyLength] : key,
            Kind = kind,
            Channel = channel,
            Recipient = channel == NotificationChannel.Email ? recipient.Trim().ToLowerInvariant() : recipient.Trim(),
            Subject = subject.Length > MaxSubjectLength ? subject[..MaxSubjectLength] : subject,
            Body = body,
            TextBody = textBody,
            Status = DeliveryStatus.Pending,
            CreatedAt = now,
            NextAttemptAt = now,
        };
    }

    public bool IsDue(DateTimeOffset now) => Status == DeliveryStatus.Pending && NextAttemptAt <= now;

    public void Delivered(DateTimeOffset now)
    {
        Attempts++;
        Status = DeliveryStatus.Sent;
        SentAt = now;
        LastError = null;
    }

    /// <summary>A failure worth trying again (server down, timeout): backoff 1, 2, 4… minutes, up to an hour; given up after <see cref="MaxAttempts"/>.</summary>
    public void FailedToDeliver(string error, DateTimeOffset now)
    {
        Attempts++;
        LastError = Clip(error);
        if (Attempts >= MaxAttempts)
        {
            Status = DeliveryStatus.Failed;
            return;
        }

        NextAttemptAt = now + Backoff(Attempts);
    }

    /// <summary>The server refused the address: trying again would not help.</summary>
    public void RecipientRejected(string error, DateTimeOffset now)
    {
        Attempts++;
        Status = DeliveryStatus.Rejected;
        LastError = Clip(error);
        NextAttemptAt = now;
    }

    /// <summary>A failure that trying again would not mend (a webhook answering 400 or 404): given up at once.</summary>
    public void GaveUp(string error, DateTimeOffset now)
    {
        Attempts++;
        Status = DeliveryStatus.Failed;
        LastError = Clip(error);
        NextAttemptAt = now;
    }

    /// <summary>
    /// The address was refused before and is on the rejected list: the message is not sent and the server is not asked
    /// again, so nothing counts as an attempt.
    /// </summary>
    public void Suppressed(string reason, DateTimeOffset now)
    {
        Status = DeliveryStatus.Rejected;
        LastError = Clip(reason);
        NextAttemptAt = now;
    }

    /// <summary>
    /// The Message-Id every attempt of this message carries ("&lt;hash@domain&gt;"), derived from the key alone, so a
    /// receiver that got a copy before a lost acknowledgement can recognise the second one as the same message.
    /// </summary>
    public static string MessageIdFor(string key, string domain)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));
        return $"portal.{hash[..40]}@{(string.IsNullOrWhiteSpace(domain) ? "localhost" : domain)}";
    }

    public static TimeSpan Backoff(int attempts) => TimeSpan.FromMinutes(Math.Min(60, Math.Pow(2, Math.Max(0, attempts - 1))));

    private static string Clip(string error) => error.Length > MaxErrorLength ? error[..MaxErrorLength] : error;
}
