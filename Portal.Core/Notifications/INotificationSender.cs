namespace Portal.Core.Notifications;

/// <summary>What became of one attempt to deliver a message.</summary>
public enum DeliveryOutcome
{
    Sent,

    /// <summary>Worth trying again later (server down, timeout, a 4xx answer): backoff applies.</summary>
    RetryLater,

    /// <summary>The channel itself cannot be reached: the rest of this run's messages on it wait, untouched, for the next run.</summary>
    ChannelUnavailable,

    /// <summary>Trying again would not help (a 4xx from a webhook other than 408/429, a message the server refuses outright).</summary>
    Failed,

    /// <summary>The mail server refused the recipient's address (5xx at RCPT TO).</summary>
    RecipientRejected,
}

public sealed record DeliveryResult(DeliveryOutcome Outcome, string? Error = null)
{
    public static DeliveryResult Sent { get; } = new(DeliveryOutcome.Sent);
}

/// <summary>One delivery channel (SMTP, the webhook). Adapters live in Portal/Integrations and never throw for delivery failures: they classify them.</summary>
public interface INotificationSender
{
    NotificationChannel Channel { get; }

    /// <summary>False when the channel is not configured (no SMTP host, no webhook URL): its messages stay Pending.</summary>
    bool IsConfigured { get; }

    /// <summary>Where messages go, for people: "smtp.example.com:587 (STARTTLS)", "https://chat.example.com/hook".</summary>
    string Describe();

    Task<DeliveryResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken);
}
