using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Lifecycle;
using Portal.Data;
using Portal.Features.Audit;

namespace Portal.Features.Lifecycle;

public sealed record HoldInput(HoldSubjectKind SubjectKind, long SubjectId, HoldScope Scope, string? Reason, DateTimeOffset Until);

/// <param name="Missing">The hold (or subject) does not exist.</param>
/// <summary>Something a hold can be placed on, as a picker shows it.</summary>
public sealed record HoldSubjectOption(HoldSubjectKind Kind, long Id, string Display);

public sealed record HoldResult(bool Succeeded, IReadOnlyList<string> Errors, long? Id = null, bool Missing = false);

/// <summary>Approvers place, extend and lift holds; each change is bounded by policy and audited.</summary>
public sealed class Holds(IDbContextFactory<PortalDbContext> contexts, LifecyclePolicies policies, AuditLog audit, TimeProvider clock)
{
    public async Task<IReadOnlyList<Hold>> ListAsync(bool activeOnly, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var holds = db.Holds.AsNoTracking();
        if (activeOnly)
        {
            holds = holds.Where(h => h.LiftedAt == null && h.Until > now);
        }

        return await holds.OrderByDescending(h => h.PlacedAt).ToListAsync(cancellationToken);
    }

    /// <summary>Up to 20 repositories, images or present workloads whose name (or digest) contains <paramref name="text"/>.</summary>
    public async Task<IReadOnlyList<HoldSubjectOption>> SearchSubjectsAsync(HoldSubjectKind kind, string? text, CancellationToken cancellationToken)
    {
        const int Max = 20;
        var term = (text ?? "").Trim();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        switch (kind)
        {
            case HoldSubjectKind.Repository:
                return await db.Repositories.Where(r => r.GoneAt == null && r.Name.Contains(term)).OrderBy(r => r.Name).Take(Max)
                    .Select(r => new HoldSubjectOption(kind, r.Id, r.Name)).ToListAsync(cancellationToken);
            case HoldSubjectKind.Image:
                var images = await (
                        from image in db.Images
                        join repository in db.Repositories on image.RepositoryId equals repository.Id
                        where image.GoneAt == null && image.ParentId == null && (repository.Name.Contains(term) || image.Digest.Contains(term))
                        orderby repository.Name, image.Created descending
                        select new { image.Id, repository.Name, image.Digest })
                    .Take(Max).ToListAsync(cancellationToken);
                var ids = images.Select(i => i.Id).ToList();
                var tags = (await db.Tags.Where(t => t.GoneAt == null && ids.Contains(t.ImageId)).Select(t => new { t.ImageId, t.Name }).ToListAsync(cancellationToken))
                    .ToLookup(t => t.ImageId, t => t.Name);
                return [.. images.Select(i => new HoldSubjectOption(kind, i.Id,
                    $"{i.Name}:{(tags[i.Id].Any() ? string.Join(",", tags[i.Id].Order()) : "(untagged)")} {i.Digest[..Math.Min(19, i.Digest.Length)]}"))];
            case HoldSubjectKind.Workload:
                return await db.Workloads.Where(w => w.GoneAt == null && (w.Namespace + "/" + w.Name).Contains(term))
                    .OrderBy(w => w.Namespace).ThenBy(w => w.Name).Take(Max)
                    .Select(w => new HoldSubjectOption(kind, w.Id, w.Cluster + "/" + w.Namespace + "/" + w.Name)).ToListAsync(cancellationToken);
            default:
                return [];
        }
    }

    public async Task<HoldResult> PlaceAsync(HoldInput input, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var now = clock.GetUtcNow();
        var policy = await policies.CurrentAsync(cancellationToken);
        var errors = Hold.Validate(input.Scope, input.Reason, input.Until, now, policy.MaxHoldDays).ToList();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var subject = await SubjectAsync(db, input.SubjectKind, input.SubjectId, cancellationToken);
        if (subject is null)
        {
            errors.Insert(0, $"There is no {input.SubjectKind.ToString().ToLowerInvariant()} {input.SubjectId}.");
        }

        if (errors.Count > 0)
        {
            return new HoldResult(false, errors);
        }

        var hold = Hold.Place(input.SubjectKind, input.SubjectId, subject!, input.Scope, input.Reason!, input.Until, actor, now);
        db.Holds.Add(hold);
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(AuditActorKind.Person, actor, AuditActions.HoldPlaced, Describe(hold), null, Details(hold), cancellationToken);
        return new HoldResult(true, [], hold.Id);
    }

    public async Task<HoldResult> ExtendAsync(long id, DateTimeOffset until, string actor, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var policy = await policies.CurrentAsync(cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var hold = await db.Holds.SingleOrDefaultAsync(h => h.Id == id, cancellationToken);
        if (hold is null)
        {
            return new HoldResult(false, [$"There is no hold {id}."], Missing: true);
        }

        var before = Details(hold);
        var errors = hold.Extend(until, now, policy.MaxHoldDays);
        if (errors.Count > 0)
        {
            return new HoldResult(false, errors, id);
        }

        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(AuditActorKind.Person, actor, AuditActions.HoldExtended, Describe(hold), before, Details(hold), cancellationToken);
        return new HoldResult(true, [], id);
    }

    public async Task<HoldResult> LiftAsync(long id, string actor, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var hold = await db.Holds.SingleOrDefaultAsync(h => h.Id == id, cancellationToken);
        if (hold is null)
        {
            return new HoldResult(false, [$"There is no hold {id}."], Missing: true);
        }

        if (!hold.IsActive(now))
        {
            return new HoldResult(false, ["The hold has already ended."], id);
        }

        var before = Details(hold);
        hold.Lift(actor, now);
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(AuditActorKind.Person, actor, AuditActions.HoldLifted, Describe(hold), before, Details(hold), cancellationToken);
        return new HoldResult(true, [], id);
    }

    // How the subject reads on pages and in the audit trail; null when it does not exist.
    private static async Task<string?> SubjectAsync(PortalDbContext db, HoldSubjectKind kind, long id, CancellationToken cancellationToken) =>
        kind switch
        {
            HoldSubjectKind.Image => await (
                    from image in db.Images
                    join repository in db.Repositories on image.RepositoryId equals repository.Id
                    where image.Id == id
                    select repository.Name + "@" + image.Digest)
                .SingleOrDefaultAsync(cancellationToken),
            HoldSubjectKind.Repository => await db.Repositories.Where(r => r.Id == id).Select(r => r.Name).SingleOrDefaultAsync(cancellationToken),
            HoldSubjectKind.Workload => await db.Workloads.Where(w => w.Id == id)
                .Select(w => w.Cluster + "/" + w.Namespace + "/" + w.Name).SingleOrDefaultAsync(cancellationToken),
            _ => null,
        };

    private static string Describe(Hold hold) => $"hold {hold.Id} on {hold.SubjectKind.ToString().ToLowerInvariant()} {hold.Subject}";

    private static string Details(Hold hold) =>
        $"scope {hold.Scope}, until {hold.Until.UtcDateTime:yyyy-MM-dd HH:mm} UTC, by {hold.PlacedBy}: {hold.Reason}"
        + (hold.LiftedAt is { } lifted ? $"; lifted {lifted.UtcDateTime:yyyy-MM-dd HH:mm} UTC by {hold.LiftedBy}" : "");
}
