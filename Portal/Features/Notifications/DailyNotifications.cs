using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Auditing;
using Portal.Core.Findings;
using Portal.Core.Lifecycle;
using Portal.Core.Notifications;
using Portal.Core.Workloads;
using Portal.Data;
using Portal.Features.Admission;
using Portal.Features.Lifecycle;

namespace Portal.Features.Notifications;

/// <param name="Ran">False before the day's digest hour: nothing was planned or queued.</param>
/// <param name="OwnersWithoutAddress">Owners due a reminder, or of a namespace with refused pods, whose name is not an email address: nobody can be told.</param>
public sealed record DigestRunSummary(
    bool Ran, int OwnerDigests, int AdminSummaries, int Webhooks, int KeysRecorded, IReadOnlyList<string> OwnersWithoutAddress, string Message);

/// <summary>
/// Composes the day's notifications from the lifecycle plan and queues them in the outbox (the delivery job sends
/// them): one digest per owner on a day a reminder stage of theirs is due or admission control refused pods in a
/// namespace they own since their previous digest, listing those refusals and every workload of theirs on an image
/// with an EOL date; one summary per admin recipient (and the webhook) when admins have something to hear. Each message's
/// key names the recipient and the day, and each reminder or admin notice it carries is recorded done in the same
/// transaction, so neither a second run nor a restart tells anyone the same thing twice. Reminders that come due after
/// the day's digest went out wait for the next day's. Dry-run notifications are only shown on the Plan page; those that
/// require approval go out once approved.
/// </summary>
public sealed class DailyNotifications(
    IDbContextFactory<PortalDbContext> contexts,
    LifecyclePlanner planner,
    AdmissionDecisions decisions,
    NotificationTemplates templates,
    IOptions<NotificationOptions> options,
    TimeProvider clock,
    ILogger<DailyNotifications> logger)
{
    /// <summary>Who records the reminders as done.</summary>
    public const string Actor = "notifications";

    private const int TopFindings = 5;

    /// <summary>How far back an owner who never had a digest hears of refusals: older ones they have surely seen in the cluster.</summary>
    private static readonly TimeSpan FirstRefusalWindow = TimeSpan.FromHours(24);

    /// <summary>
    /// A refusal brings a digest the next day at the latest, so an owner's previous digest is older than this only when
    /// nothing was refused in their namespaces since (or before refusals were told at all); looking further back would
    /// read a long stretch of the decision log to find nothing new.
    /// </summary>
    private static readonly TimeSpan LongestRefusalWindow = TimeSpan.FromDays(7);

    public async Task<DigestRunSummary> RunAsync(bool ignoreHour, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow();
        if (!ignoreHour && now.UtcDateTime.Hour < settings.DigestHourUtc)
        {
            return new DigestRunSummary(false, 0, 0, 0, 0, [],
                $"Before {settings.DigestHourUtc:00}:00 UTC: the day's digests go out from then.");
        }

        var day = now.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var planned = await planner.PlanAsync(cancellationToken);
        var plan = planned.Plan;
        var records = await RecordsAsync(
            plan.Actions.Where(a => a.Kind is ActionKind.NotifyOwner or ActionKind.NotifyAdmins || a.Mode == ExecutionMode.RequireApproval).Select(a => a.Key),
            cancellationToken);
        var sendable = plan.Actions
            .Where(a => a.Kind is ActionKind.NotifyOwner or ActionKind.NotifyAdmins && MaySend(a, records.GetValueOrDefault(a.Key)))
            .ToList();

        var refusals = await RefusalsByOwnerAsync(now, cancellationToken);
        var owners = await QueueOwnerDigestsAsync(planned, sendable.Where(a => a.Kind == ActionKind.NotifyOwner).ToList(), refusals, day, cancellationToken);
        var admins = await QueueAdminSummaryAsync(planned, sendable.Where(a => a.Kind == ActionKind.NotifyAdmins).ToList(), records, day, cancellationToken);

        var parts = new List<string>
        {
            $"{owners.Queued} owner {Plural(owners.Queued, "digest", "digests")}, {admins.Queued} admin {Plural(admins.Queued, "summary", "summaries")}"
            + (admins.Webhooks > 0 ? $" and {admins.Webhooks} webhook {Plural(admins.Webhooks, "message", "messages")}" : string.Empty) + " queued",
            $"{owners.Recorded + admins.Recorded} {Plural(owners.Recorded + admins.Recorded, "notice", "notices")} recorded done",
        };
        if (owners.WithoutAddress.Count > 0)
        {
            parts.Add($"{owners.WithoutAddress.Count} {Plural(owners.WithoutAddress.Count, "owner", "owners")} without an address ({string.Join(", ", owners.WithoutAddress)})");
        }

        if (admins.Note is not null)
        {
            parts.Add(admins.Note);
        }

        return new DigestRunSummary(true, owners.Queued, admins.Queued, admins.Webhooks, owners.Recorded + admins.Recorded, owners.WithoutAddress,
            string.Join("; ", parts) + ".");
    }

    /// <summary>Automatic notifications go out unless someone rejected them; those that require approval only once approved.</summary>
    private static bool MaySend(PlannedAction action, ActionRecord? record) => action.Mode switch
    {
        ExecutionMode.Automatic => record?.Status is not ActionStatus.Rejected,
        ExecutionMode.RequireApproval => record?.Status is ActionStatus.Approved,
        _ => false,
    };

    private sealed record OwnerRun(int Queued, int Recorded, IReadOnlyList<string> WithoutAddress);

    private async Task<OwnerRun> QueueOwnerDigestsAsync(
        PlanResult planned, List<PlannedAction> due, IReadOnlyDictionary<string, List<RefusedWorkload>> refusals, string day,
        CancellationToken cancellationToken)
    {
        var withoutAddress = new List<string>();
        var byOwner = new List<(string Owner, List<PlannedAction> Actions)>();
        var dueByOwner = due.ToLookup(a => a.Owner!.Trim().ToLowerInvariant(), StringComparer.Ordinal);
        foreach (var owner in dueByOwner.Select(g => g.Key).Union(refusals.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            if (!owner.Contains('@', StringComparison.Ordinal))
            {
                withoutAddress.Add(owner);
                continue;
            }

            byOwner.Add((owner, dueByOwner[owner].ToList()));
        }

        if (byOwner.Count == 0)
        {
            return new OwnerRun(0, 0, withoutAddress);
        }

        var keys = byOwner.ToDictionary(o => o.Owner, o => $"owner-digest:{o.Owner}:{day}", StringComparer.Ordinal);
        var already = await ExistingKeysAsync(keys.Values, cancellationToken);
        // Told today already: what came due since waits for tomorrow's digest.
        byOwner.RemoveAll(o => already.Contains(keys[o.Owner]));
        if (byOwner.Count == 0)
        {
            return new OwnerRun(0, 0, withoutAddress);
        }

        var snapshot = planned.Snapshot;
        var lifecycles = planned.Plan.Images.ToDictionary(i => i.ImageId);
        var imagesById = snapshot.Images.ToDictionary(i => i.Id);
        // Once for the estate, not once per owner: thousands of owners over ten thousand workloads.
        var workloadsOf = snapshot.Workloads
            .SelectMany(w => w.Owners.Select(o => (Owner: o.Trim().ToLowerInvariant(), Workload: w)))
            .Distinct()
            .ToLookup(x => x.Owner, x => x.Workload, StringComparer.Ordinal);
        var affected = new Dictionary<string, List<(WorkloadFacts Workload, LifecycleImage Image, ImageLifecycle Lifecycle)>>(StringComparer.Ordinal);
        foreach (var (owner, _) in byOwner)
        {
            affected[owner] = [.. workloadsOf[owner]
                .SelectMany(w => w.ImageIds.Distinct()
                    .Where(id => imagesById.ContainsKey(id) && lifecycles.TryGetValue(id, out var l) && (l.EffectiveEol ?? l.Eol) is not null)
                    .Select(id => (w, imagesById[id], lifecycles[id])))];
        }

        var imageIds = affected.Values.SelectMany(list => list.Select(a => a.Image.Id)).ToHashSet();
        var findings = await TopFindingsAsync(imageIds, imagesById, snapshot.Exceptions, cancellationToken);
        var replacements = await ReplacementsAsync(imageIds, cancellationToken);
        var template = await templates.CurrentAsync(NotificationKind.OwnerDigest, cancellationToken);
        var link = $"{options.Value.PortalUrl.TrimEnd('/')}/my-workloads";
        var today = DateOnly.ParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        // A granted extension moves the date for that one workload, as the reminders announce it.
        var extensions = snapshot.Extensions.GroupBy(e => (e.WorkloadId, e.ImageId)).ToDictionary(g => g.Key, g => g.Max(e => e.Until));

        var queued = 0;
        var recorded = 0;
        foreach (var (owner, actions) in byOwner)
        {
            var dueHere = actions.Select(a => (a.WorkloadId, a.ImageId)).ToHashSet();
            var workloads = affected[owner]
                .Select(a =>
                {
                    var eol = (a.Lifecycle.EffectiveEol ?? a.Lifecycle.Eol)!.Value;
                    if (extensions.TryGetValue((a.Workload.Id, a.Image.Id), out var extended) && extended > eol)
                    {
                        eol = extended;
                    }

                    return new DigestWorkload(a.Workload.Cluster, a.Workload.Namespace, a.Workload.Name, a.Workload.Kind.ToString(), a.Image.Display,
                        eol.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                        DateOnly.FromDateTime(eol.UtcDateTime).DayNumber - today.DayNumber,
                        a.Lifecycle.Reason, replacements.GetValueOrDefault(a.Image.Id), dueHere.Contains((a.Workload.Id, a.Image.Id)),
                        findings.GetValueOrDefault(a.Image.Id) ?? []);
                })
                .OrderBy(w => w.Eol, StringComparer.Ordinal).ThenBy(w => w.Display, StringComparer.Ordinal).ThenBy(w => w.Image, StringComparer.Ordinal)
                .ToList();
            var refused = refusals.GetValueOrDefault(owner) ?? [];
            var model = new OwnerDigestModel(owner, day, link, workloads,
                [.. refused.Take(OwnerDigestModel.MaxRefusals).Select(r => new DigestRefusal(r.Namespace, r.Workload, r.Image, r.Reason,
                    r.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC"))],
                Math.Max(0, refused.Count - OwnerDigestModel.MaxRefusals));
            var rendered = Render(template, NotificationKind.OwnerDigest, model.ToLiquid());
            var message = OutgoingMessage.Queue(keys[owner], NotificationKind.OwnerDigest, NotificationChannel.Email, owner, rendered.Subject, rendered.Html,
                rendered.Text, clock.GetUtcNow());
            if (await QueueAndRecordAsync([message], actions, planned.Snapshot, ids => $"Told in the digest of {day} (message {ids})", cancellationToken))
            {
                queued++;
                recorded += actions.Count;
            }
        }

        return new OwnerRun(queued, recorded, withoutAddress);
    }

    /// <summary>
    /// Each namespace owner's pods refused since their previous digest (the last 24 hours when they never had one), one
    /// line per workload and image, newest first. Refusals come from the decision log, which does not record the cluster
    /// (the webhook sees only a namespace), so a refusal is told to the owners of that namespace in every cluster.
    /// </summary>
    private async Task<Dictionary<string, List<RefusedWorkload>>> RefusalsByOwnerAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        List<(string Namespace, string Owner)> owners;
        Dictionary<string, DateTimeOffset> lastDigest;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            owners = [.. (await db.NamespaceMembers.AsNoTracking()
                    .Where(m => m.Role == NamespaceRole.Owner)
                    .Select(m => new { m.Namespace, m.Email })
                    .ToListAsync(cancellationToken))
                .Select(m => (m.Namespace, Owner: m.Email.Trim().ToLowerInvariant()))
                .Distinct()];
            if (owners.Count == 0)
            {
                return [];
            }

            lastDigest = (await db.OutgoingMessages.AsNoTracking()
                    .Where(m => m.Kind == NotificationKind.OwnerDigest)
                    .GroupBy(m => m.Recipient)
                    .Select(g => new { Recipient = g.Key, Last = g.Max(m => m.CreatedAt) })
                    .ToListAsync(cancellationToken))
                .ToDictionary(x => x.Recipient, x => x.Last, StringComparer.Ordinal);
        }

        var firstWindow = now - FirstRefusalWindow;
        var longest = now - LongestRefusalWindow;
        DateTimeOffset SinceFor(string owner) => lastDigest.TryGetValue(owner, out var last) ? (last > longest ? last : longest) : firstWindow;
        var refused = await decisions.RefusedSinceAsync(owners.Min(o => SinceFor(o.Owner)), cancellationToken);
        if (refused.Count == 0)
        {
            return [];
        }

        var byNamespace = refused.ToLookup(r => r.Namespace, StringComparer.Ordinal);
        var result = new Dictionary<string, List<RefusedWorkload>>(StringComparer.Ordinal);
        foreach (var group in owners.GroupBy(o => o.Owner, StringComparer.Ordinal))
        {
            var since = SinceFor(group.Key);
            var lines = group.SelectMany(o => byNamespace[o.Namespace])
                .Where(r => r.At >= since)
                .OrderByDescending(r => r.At).ThenBy(r => r.Namespace, StringComparer.Ordinal).ThenBy(r => r.Workload, StringComparer.Ordinal)
                .ThenBy(r => r.Image, StringComparer.Ordinal)
                .ToList();
            if (lines.Count > 0)
            {
                result[group.Key] = lines;
            }
        }

        return result;
    }

    private sealed record AdminRun(int Queued, int Webhooks, int Recorded, string? Note);

    private async Task<AdminRun> QueueAdminSummaryAsync(
        PlanResult planned, List<PlannedAction> due, IReadOnlyDictionary<string, ActionRecord> records, string day, CancellationToken cancellationToken)
    {
        var awaiting = planned.Plan.Actions
            .Where(a => a.Mode == ExecutionMode.RequireApproval && !records.ContainsKey(a.Key))
            .GroupBy(a => a.Kind)
            .OrderBy(g => g.Key)
            .Select(g => new AwaitingApproval(g.Key.ToString(), g.Count()))
            .ToList();
        if (due.Count == 0 && awaiting.Count == 0)
        {
            return new AdminRun(0, 0, 0, null);
        }

        var settings = options.Value;
        var recipients = AdminRecipients(settings);
        var webhook = string.IsNullOrWhiteSpace(settings.Webhook.Url) ? null : settings.Webhook.Name.Trim();
        if (recipients.Count == 0 && webhook is null)
        {
            return new AdminRun(0, 0, 0, "no admin recipients or webhook configured, so admins were not told");
        }

        var keys = recipients.Append(webhook).OfType<string>().ToDictionary(r => r, r => $"admin-summary:{r}:{day}", StringComparer.Ordinal);
        var already = await ExistingKeysAsync(keys.Values, cancellationToken);
        var missing = keys.Where(k => !already.Contains(k.Value)).Select(k => k.Key).ToList();
        if (missing.Count == 0)
        {
            return new AdminRun(0, 0, 0, null);
        }

        var items = due.OrderBy(a => a.Key, StringComparer.Ordinal)
            .Select(a => new AdminSummaryItem(a.Key.StartsWith("notify-admins:target-vulnerable:", StringComparison.Ordinal) ? "TargetVulnerable" : "NewBlockingFinding", a.Reason))
            .ToList();
        var link = $"{settings.PortalUrl.TrimEnd('/')}/plan";
        var model = new AdminSummaryModel(day, link, items, awaiting);
        var rendered = Render(await templates.CurrentAsync(NotificationKind.AdminSummary, cancellationToken), NotificationKind.AdminSummary, model.ToLiquid());
        var now = clock.GetUtcNow();
        var messages = missing
            .Select(r => r == webhook
                ? OutgoingMessage.Queue(keys[r], NotificationKind.AdminSummary, NotificationChannel.Webhook, r, rendered.Subject,
                    WebhookPayload.Json(NotificationKind.AdminSummary, rendered.Subject, rendered.Text, link,
                        [.. items.Select(i => i.Text), .. awaiting.Select(a => $"{a.Kind}: {a.Count} awaiting approval")]),
                    null, now)
                : OutgoingMessage.Queue(keys[r], NotificationKind.AdminSummary, NotificationChannel.Email, r, rendered.Subject, rendered.Html, rendered.Text, now))
            .ToList();
        if (!await QueueAndRecordAsync(messages, due, planned.Snapshot, ids => $"Told in the admin summary of {day} (messages {ids})", cancellationToken))
        {
            return new AdminRun(0, 0, 0, null);
        }

        var webhooks = messages.Count(m => m.Channel == NotificationChannel.Webhook);
        return new AdminRun(messages.Count - webhooks, webhooks, due.Count, null);
    }

    /// <summary>
    /// Queues the messages and records each notice they carry as done, in one transaction: either someone is told and it
    /// is never planned again, or neither. False when another run queued one of the keys first (nothing is kept).
    /// </summary>
    private async Task<bool> QueueAndRecordAsync(
        IReadOnlyList<OutgoingMessage> messages, IReadOnlyList<PlannedAction> actions, LifecycleSnapshot snapshot, Func<string, string> outcome,
        CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            db.OutgoingMessages.AddRange(messages);
            await db.SaveChangesAsync(cancellationToken);
            var told = outcome(string.Join(", ", messages.Select(m => m.Id)));
            var keys = actions.Select(a => a.Key).ToList();
            var existing = new Dictionary<string, ActionRecord>(StringComparer.Ordinal);
            foreach (var slice in keys.Chunk(1_000))
            {
                foreach (var record in await db.LifecycleActions.Where(a => slice.Contains(a.Key)).ToListAsync(cancellationToken))
                {
                    existing[record.Key] = record;
                }
            }

            var now = clock.GetUtcNow();
            foreach (var action in actions)
            {
                if (existing.TryGetValue(action.Key, out var record))
                {
                    // Approved (RequireApproval), or an automatic notice someone looked at: carried out now.
                    record.Begin(Actor, now, action.PolicyVersion);
                }
                else
                {
                    record = ActionRecord.Start(action, ActionSubjects.Describe(action, snapshot), Actor, now);
                    db.LifecycleActions.Add(record);
                }

                record.Complete(told, now);
                db.AuditEntries.Add(AuditEntry.Create(now, AuditActorKind.Job, Actor, AuditActions.ActionExecuted, $"{action.Kind} {record.Subject}", null,
                    ActionSubjects.AuditAfter(record), System.Diagnostics.Activity.Current?.TraceId.ToString()));
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException ex)
        {
            // The keys are unique: a run on another replica queued the same message first, and recorded its notices.
            logger.LogInformation(ex, "Notification {Key} was queued by another run", messages[0].Key);
            await transaction.RollbackAsync(cancellationToken);
            return false;
        }
    }

    private RenderedNotification Render(CurrentTemplate template, NotificationKind kind, IReadOnlyDictionary<string, object?> model)
    {
        try
        {
            return NotificationRenderer.Render(template.Content, model);
        }
        catch (NotificationTemplateException ex) when (template.Version > 0)
        {
            // A saved template rendered the sample when it was saved; should real data still trip it, people hear the
            // default rather than nothing.
            logger.LogWarning(ex, "Template {Kind} version {Version} failed to render; the default was used", kind, template.Version);
            return NotificationRenderer.Render(NotificationTemplateDefaults.For(kind), model);
        }
    }

    internal static List<string> AdminRecipients(NotificationOptions settings) =>
        [.. settings.AdminRecipients.Select(r => r.Trim().ToLowerInvariant()).Where(r => r.Contains('@', StringComparison.Ordinal)).Distinct(StringComparer.Ordinal)];

    private async Task<IReadOnlyDictionary<string, ActionRecord>> RecordsAsync(IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var records = new Dictionary<string, ActionRecord>(StringComparer.Ordinal);
        foreach (var slice in keys.Distinct().Chunk(1_000))
        {
            foreach (var record in await db.LifecycleActions.AsNoTracking().Where(a => slice.Contains(a.Key)).ToListAsync(cancellationToken))
            {
                records[record.Key] = record;
            }
        }

        return records;
    }

    private async Task<HashSet<string>> ExistingKeysAsync(IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var slice in keys.Chunk(1_000))
        {
            found.UnionWith(await db.OutgoingMessages.Where(m => slice.Contains(m.Key)).Select(m => m.Key).ToListAsync(cancellationToken));
        }

        return found;
    }

    /// <summary>The worst open findings of each image (its platform children's count for it): worst severity first.</summary>
    // Worst first, as the owner's to-do: a finding an exception covers (not affected, a false positive, an accepted risk) is not theirs to fix.
    private async Task<Dictionary<long, List<DigestFinding>>> TopFindingsAsync(
        IReadOnlyCollection<long> imageIds, IReadOnlyDictionary<long, LifecycleImage> images, IReadOnlyList<FindingException> exceptions,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var ids = imageIds.ToList();
        var digests = await db.Images.Where(i => ids.Contains(i.Id) || (i.ParentId != null && ids.Contains(i.ParentId.Value)))
            .Select(i => new { ImageId = i.ParentId ?? i.Id, i.Digest })
            .ToListAsync(cancellationToken);
        var imagesOf = digests.ToLookup(d => d.Digest, d => d.ImageId);
        var wanted = digests.Select(d => d.Digest).Distinct().ToList();
        var rows = await db.Findings.Where(f => f.ResolvedAt == null && wanted.Contains(f.Digest))
            .Select(f => new { f.Digest, f.VulnerabilityId, f.Severity, f.Package, f.InstalledVersion, f.FixedVersion })
            .ToListAsync(cancellationToken);
        return rows
            .SelectMany(f => imagesOf[f.Digest].Select(imageId => (imageId, f)))
            .Where(x => !exceptions.Any(e => e.Covers(x.f.VulnerabilityId, x.f.Digest, x.f.Package, images[x.imageId].Repository, now)))
            .GroupBy(x => x.imageId)
            .ToDictionary(g => g.Key, g => g
                .Select(x => x.f)
                .DistinctBy(f => (f.VulnerabilityId, f.Package))
                .OrderByDescending(f => f.Severity).ThenBy(f => f.FixedVersion is null).ThenBy(f => f.VulnerabilityId, StringComparer.Ordinal)
                .Take(TopFindings)
                .Select(f => new DigestFinding(f.VulnerabilityId, f.Severity.ToString(), f.Package, f.InstalledVersion, f.FixedVersion))
                .ToList());
    }

    /// <summary>The recommended replacement of each image: its approved path's target (the newest path when there are several).</summary>
    private async Task<Dictionary<long, string>> ReplacementsAsync(IReadOnlyCollection<long> imageIds, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var ids = imageIds.ToList();
        var paths = await db.MigrationPaths.Where(p => p.State == MigrationPathState.Approved && ids.Contains(p.FromImageId))
            .Select(p => new { p.Id, p.FromImageId, p.To })
            .ToListAsync(cancellationToken);
        return paths.GroupBy(p => p.FromImageId).ToDictionary(g => g.Key, g => g.OrderByDescending(p => p.Id).First().To);
    }

    private static string Plural(int count, string one, string many) => count == 1 ? one : many;
}
