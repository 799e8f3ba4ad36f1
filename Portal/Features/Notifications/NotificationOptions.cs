namespace Portal.Features.Notifications;

public enum SmtpSecurity
{
    /// <summary>Plain SMTP (a relay on loopback or inside the cluster).</summary>
    None,

    /// <summary>Upgrade with STARTTLS; refuse to send if the server does not offer it.</summary>
    StartTls,

    /// <summary>TLS from the first byte (usually port 465).</summary>
    Tls,
}

/// <summary>The mail server the portal sends through (section "Smtp").</summary>
public sealed class SmtpOptions
{
    public const string SectionName = "Smtp";

    /// <summary>Empty: email is off (the delivery log says so; nothing is queued as sent).</summary>
    public string? Host { get; set; }

    public int Port { get; set; } = 25;
    public SmtpSecurity Security { get; set; } = SmtpSecurity.None;
    public string? Username { get; set; }
    public string? Password { get; set; }

    /// <summary>The sender address, e.g. "image-governance@example.com".</summary>
    public string From { get; set; } = "image-governance@localhost";

    public string FromName { get; set; } = "Image governance";
    public int TimeoutSeconds { get; set; } = 30;
}

/// <summary>Who hears what and where links point (section "Notifications").</summary>
public sealed class NotificationOptions
{
    public const string SectionName = "Notifications";

    /// <summary>The portal's address as people reach it, for links in emails ("https://images.example.com").</summary>
    public string PortalUrl { get; set; } = "http://localhost:5080";

    /// <summary>Who gets the admins' summary and alerts.</summary>
    public List<string> AdminRecipients { get; set; } = [];

    /// <summary>The hour (UTC) from which the day's digests go out.</summary>
    public int DigestHourUtc { get; set; } = 7;

    public WebhookOptions Webhook { get; set; } = new();
}

/// <summary>A generic chat relay: a JSON POST signed with HMAC-SHA256 of the body under a shared secret.</summary>
public sealed class WebhookOptions
{
    /// <summary>Empty: no webhook.</summary>
    public string? Url { get; set; }

    public string? Secret { get; set; }

    /// <summary>How the webhook reads in the delivery log.</summary>
    public string Name { get; set; } = "webhook";
}
