using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Lifecycle;
using Portal.Core.Workloads;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Lifecycle;

namespace Portal.Features.Migrations;

/// <summary>
/// The approved replacement of an image one workload runs, and what its owner chose. Only long-lived Kubeflow notebooks
/// can be migrated for their owners; other workloads see the replacement to move to themselves.
/// </summary>
public sealed record ReplacementOffer(long WorkloadId, long ImageId, MigrationPath Path, MigrationChoice? Choice, bool CanMigrate);

/// <summary>An owner's answer: <see cref="Migrate"/> in the next maintenance window, or they start a new notebook themselves.</summary>
public sealed record MigrationChoiceInput(long WorkloadId, long ImageId, bool Migrate);

/// <summary>
/// Owners of a namespace answer the approved path of the image a notebook of theirs runs: "migrate me in the next
/// maintenance window" (the lifecycle job then patches the notebook's image) or "I will start a new notebook myself".
/// The latest answer stands; each is audited.
/// </summary>
public sealed class MigrationChoices(IDbContextFactory<PortalDbContext> contexts, Extensions extensions, AuditLog audit, TimeProvider clock)
{
    /// <summary>For these workloads: each image (the one tags point at) with an approved path, keyed by workload and image.</summary>
    public async Task<IReadOnlyDictionary<(long WorkloadId, long ImageId), ReplacementOffer>> OffersAsync(
        IReadOnlyCollection<long> workloadIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workloadIds);
        if (workloadIds.Count == 0)
        {
            return new Dictionary<(long, long), ReplacementOffer>();
        }

        var ids = workloadIds.Distinct().ToList();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;
        var uses = await (
                from use in db.WorkloadImages
                join image in db.Images on use.ImageId equals image.Id
                join workload in db.Workloads on use.WorkloadId equals workload.Id
                where ids.Contains(use.WorkloadId)
                select new { use.WorkloadId, ImageId = image.ParentId ?? image.Id, workload.Kind, workload.Lifetime })
            .Distinct()
            .ToListAsync(cancellationToken);
        var imageIds = uses.Select(u => u.ImageId).Distinct().ToList();
        var paths = (await db.MigrationPaths.Where(p => p.State == MigrationPathState.Approved && imageIds.Contains(p.FromImageId))
                .ToListAsync(cancellationToken))
            .GroupBy(p => p.FromImageId).ToDictionary(g => g.Key, g => g.MaxBy(p => p.Id)!);
        var choices = await db.MigrationChoices.Where(c => ids.Contains(c.WorkloadId)).ToDictionaryAsync(c => (c.WorkloadId, c.FromImageId), cancellationToken);
        var offers = new Dictionary<(long, long), ReplacementOffer>();
        foreach (var use in uses)
        {
            if (paths.TryGetValue(use.ImageId, out var path))
            {
                offers[(use.WorkloadId, use.ImageId)] = new ReplacementOffer(use.WorkloadId, use.ImageId, path,
                    choices.GetValueOrDefault((use.WorkloadId, use.ImageId)), IsMigratable(use.Kind, use.Lifetime));
            }
        }

        return offers;
    }

    public async Task<LifecycleChangeResult> ChooseAsync(MigrationChoiceInput input, Requester requester, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(requester);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var workload = await db.Workloads.AsNoTracking().Where(w => w.Id == input.WorkloadId && w.GoneAt == null)
            .Select(w => new { w.Id, w.Namespace, w.Name, w.Kind, w.Lifetime })
            .SingleOrDefaultAsync(cancellationToken);
        if (workload is null)
        {
            return LifecycleChangeResult.NotFound($"There is no workload {input.WorkloadId}.");
        }

        var display = $"{workload.Namespace}/{workload.Name}";
        if (!(await extensions.OwnedAsync(requester.Email, [workload.Id], cancellationToken)).Contains(workload.Id))
        {
            return LifecycleChangeResult.Refused($"Only an owner of namespace {workload.Namespace} may choose for {display}.");
        }

        var offer = (await OffersAsync([workload.Id], cancellationToken)).Values
            .FirstOrDefault(o => o.ImageId == input.ImageId || o.Path.FromImageId == input.ImageId);
        if (offer is null)
        {
            return LifecycleChangeResult.Invalid([$"{display} runs no image {input.ImageId} with an approved replacement."]);
        }

        if (input.Migrate && !offer.CanMigrate)
        {
            return LifecycleChangeResult.Invalid(
                [$"{display} is a {workload.Kind}, not a Kubeflow notebook: the portal cannot move it; start it again on {offer.Path.To}."]);
        }

        var now = clock.GetUtcNow();
        var choice = await db.MigrationChoices.SingleOrDefaultAsync(c => c.WorkloadId == workload.Id && c.FromImageId == offer.Path.FromImageId,
            cancellationToken);
        var before = choice is null ? null : Describe(choice, offer.Path);
        if (choice is null)
        {
            choice = MigrationChoice.Choose(workload.Id, display, offer.Path.FromImageId, offer.Path.Id, input.Migrate, requester.Name, now);
            db.MigrationChoices.Add(choice);
        }
        else
        {
            choice.Change(offer.Path.Id, input.Migrate, requester.Name, now);
        }

        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(AuditActorKind.Person, requester.Name, AuditActions.MigrationChosen, $"{display} on {offer.Path.From}", before,
            Describe(choice, offer.Path), cancellationToken);
        return LifecycleChangeResult.Done(choice.Id);
    }

    private static bool IsMigratable(WorkloadKind kind, WorkloadLifetime lifetime) =>
        kind == WorkloadKind.Notebook && lifetime == WorkloadLifetime.LongLived;

    private static string Describe(MigrationChoice choice, MigrationPath path) =>
        choice.Migrate
            ? $"Migrate to {path.To} in the next maintenance window (chosen by {choice.ChosenBy})."
            : $"Starts a new notebook on {path.To} themselves (chosen by {choice.ChosenBy}).";
}
