using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Auditing;
using Portal.Core.Notifications;
using Portal.Data;
using Portal.Features.Audit;

namespace Portal.Features.Notifications;

/// <summary>The template in use for a kind: the newest saved version, or the shipped default (version 0) before any save.</summary>
public sealed record CurrentTemplate(NotificationKind Kind, TemplateContent Content, int Version, bool IsDefault, string? SavedBy, DateTimeOffset? SavedAt);

/// <summary>One saved version, for the history.</summary>
public sealed record TemplateVersionInfo(int Version, bool IsDefault, string SavedBy, DateTimeOffset SavedAt);

public sealed record TemplateSaveResult(bool Succeeded, IReadOnlyList<string> Errors, int? Version = null);

/// <summary>
/// The notification templates admins edit under Settings → Templates: each save is a new version (who, when), refused
/// while any part does not parse or does not render against the sample data, and audited. Reset saves the shipped default
/// as a new version, so the history keeps what was there before.
/// </summary>
public sealed class NotificationTemplates(IDbContextFactory<PortalDbContext> contexts, AuditLog audit, IOptions<NotificationOptions> options, TimeProvider clock)
{
    public async Task<CurrentTemplate> CurrentAsync(NotificationKind kind, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var latest = await LatestAsync(db, kind, cancellationToken);
        return latest is null
            ? new CurrentTemplate(kind, NotificationTemplateDefaults.For(kind), 0, true, null, null)
            : new CurrentTemplate(kind, latest.Content, latest.Version, latest.IsDefault, latest.SavedBy, latest.SavedAt);
    }

    public async Task<IReadOnlyList<TemplateVersionInfo>> HistoryAsync(NotificationKind kind, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.NotificationTemplates.AsNoTracking()
            .Where(t => t.Kind == kind)
            .OrderByDescending(t => t.Version)
            .Select(t => new TemplateVersionInfo(t.Version, t.IsDefault, t.SavedBy, t.SavedAt))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Renders <paramref name="content"/> against the sample data of its kind, or says what is wrong and where.</summary>
    public (RenderedNotification? Rendered, IReadOnlyList<TemplateError> Errors) Preview(NotificationKind kind, TemplateContent content) =>
        NotificationRenderer.TryRender(content, NotificationSamples.For(kind, options.Value.PortalUrl));

    /// <param name="basedOn">The version the admin edited: a save over a newer version someone else made is refused.</param>
    public Task<TemplateSaveResult> SaveAsync(NotificationKind kind, TemplateContent content, int basedOn, string actor, CancellationToken cancellationToken) =>
        StoreAsync(kind, content, basedOn, isDefault: false, actor, cancellationToken);

    /// <summary>Goes back to the shipped default, as a new version.</summary>
    public async Task<TemplateSaveResult> ResetAsync(NotificationKind kind, string actor, CancellationToken cancellationToken)
    {
        var current = await CurrentAsync(kind, cancellationToken);
        return await StoreAsync(kind, NotificationTemplateDefaults.For(kind), current.Version, isDefault: true, actor, cancellationToken);
    }

    private async Task<TemplateSaveResult> StoreAsync(
        NotificationKind kind, TemplateContent content, int basedOn, bool isDefault, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(content.Subject))
        {
            errors.Add("The subject is empty.");
        }

        if (content.Subject.Length > NotificationTemplate.MaxSubjectLength)
        {
            errors.Add($"The subject template is longer than {NotificationTemplate.MaxSubjectLength:N0} characters.");
        }

        if (string.IsNullOrWhiteSpace(content.Html) || string.IsNullOrWhiteSpace(content.Text))
        {
            errors.Add("Both bodies are needed: the HTML body, and the text body mail clients show when they do not show HTML.");
        }

        if (content.Html.Length > NotificationTemplate.MaxBodyLength || content.Text.Length > NotificationTemplate.MaxBodyLength)
        {
            errors.Add($"A body template is longer than {NotificationTemplate.MaxBodyLength:N0} characters.");
        }

        if (errors.Count == 0)
        {
            // A template that renders the sample renders every real message too: they have the same names.
            errors.AddRange(Preview(kind, content).Errors.Select(e => e.ToString()));
        }

        if (errors.Count > 0)
        {
            return new TemplateSaveResult(false, errors);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var latest = await LatestAsync(db, kind, cancellationToken);
        var latestVersion = latest?.Version ?? 0;
        if (latestVersion != basedOn)
        {
            return new TemplateSaveResult(false,
                [$"The template was changed by {latest?.SavedBy} (now version {latestVersion}) since you opened it; reload and edit again."]);
        }

        var before = latest?.Content ?? NotificationTemplateDefaults.For(kind);
        if (before == content && latest is not null)
        {
            return new TemplateSaveResult(false, ["Nothing changed."]);
        }

        var saved = NotificationTemplate.Save(kind, latestVersion + 1, content, isDefault, actor, clock.GetUtcNow());
        db.NotificationTemplates.Add(saved);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return new TemplateSaveResult(false, ["The template was changed by someone else at the same time; reload and edit again."]);
        }

        await audit.RecordAsync(AuditActorKind.Person, actor, AuditActions.TemplateChanged,
            $"template {kind} version {saved.Version}{(isDefault ? " (reset to default)" : string.Empty)}",
            Describe(latest?.Version ?? 0, before), Describe(saved.Version, content), cancellationToken);
        return new TemplateSaveResult(true, [], saved.Version);
    }

    private static Task<NotificationTemplate?> LatestAsync(PortalDbContext db, NotificationKind kind, CancellationToken cancellationToken) =>
        db.NotificationTemplates.AsNoTracking().Where(t => t.Kind == kind).OrderByDescending(t => t.Version).FirstOrDefaultAsync(cancellationToken);

    private static string Describe(int version, TemplateContent content) =>
        JsonSerializer.Serialize(new { Version = version, content.Subject, content.Html, content.Text });
}
