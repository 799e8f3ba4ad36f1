namespace Portal.Core.Notifications;

/// <summary>The three parts of a notification template, each Liquid.</summary>
/// <param name="Subject">The email subject (and the webhook's title); rendered as plain text on one line.</param>
/// <param name="Html">The HTML body; every value is HTML-encoded.</param>
/// <param name="Text">The plain-text body (the readable alternative part of the email, and the webhook's text).</param>
public sealed record TemplateContent(string Subject, string Html, string Text);

/// <summary>
/// One saved version of the template of one kind of notification: what an admin wrote (or the default they reset to),
/// who saved it and when. Versions are never changed; the newest of a kind is the one used.
/// </summary>
public sealed class NotificationTemplate
{
    public const int MaxSubjectLength = 1_000;
    public const int MaxBodyLength = 100_000;

    private NotificationTemplate()
    {
        Subject = string.Empty;
        Html = string.Empty;
        Text = string.Empty;
        SavedBy = string.Empty;
    }

    public long Id { get; private set; }
    public NotificationKind Kind { get; private set; }

    /// <summary>1, 2, 3… per kind.</summary>
    public int Version { get; private set; }

    public string Subject { get; private set; }
    public string Html { get; private set; }
    public string Text { get; private set; }

    /// <summary>Whether this version is the shipped default (an admin reset the template).</summary>
    public bool IsDefault { get; private set; }

    public string SavedBy { get; private set; }
    public DateTimeOffset SavedAt { get; private set; }

    public TemplateContent Content => new(Subject, Html, Text);

    public static bool IsTemplated(NotificationKind kind) => kind is NotificationKind.OwnerDigest or NotificationKind.AdminSummary or NotificationKind.AdminAlert;

    public static NotificationTemplate Save(NotificationKind kind, int version, TemplateContent content, bool isDefault, string savedBy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (!IsTemplated(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Only digests, summaries and alerts have templates.");
        }

        return new NotificationTemplate
        {
            Kind = kind,
            Version = version,
            Subject = content.Subject,
            Html = content.Html,
            Text = content.Text,
            IsDefault = isDefault,
            SavedBy = savedBy,
            SavedAt = now,
        };
    }
}
