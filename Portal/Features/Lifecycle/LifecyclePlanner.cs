using Microsoft.EntityFrameworkCore;
using Portal.Core.Findings;
using Portal.Core.Inventory;
using Portal.Core.Lifecycle;
using Portal.Core.Workloads;
using Portal.Data;

namespace Portal.Features.Lifecycle;

/// <summary>A plan with the policy it followed and the snapshot it came from.</summary>
public sealed record PlanResult(LifecyclePolicy Policy, LifecycleSnapshot Snapshot, Plan Plan, TimeSpan LoadTime, TimeSpan DecideTime);

/// <summary>
/// Reads the estate from the database into a snapshot (narrow projections, no tracking) and asks the decision engine
/// for the plan. Images are what tags point at: a platform child's findings and users count for its index.
/// </summary>
public sealed class LifecyclePlanner(IDbContextFactory<PortalDbContext> contexts, LifecyclePolicies policies, TimeProvider clock)
{
    public async Task<PlanResult> PlanAsync(CancellationToken cancellationToken)
    {
        var policy = await policies.CurrentAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var started = clock.GetTimestamp();
        var snapshot = await LoadSnapshotAsync(policy, now, cancellationToken);
        var loaded = clock.GetElapsedTime(started);
        var plan = DecisionEngine.Decide(snapshot, policy, now);
        return new PlanResult(policy, snapshot, plan, loaded, clock.GetElapsedTime(started) - loaded);
    }

    public async Task<LifecycleSnapshot> LoadSnapshotAsync(LifecyclePolicy policy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;

        var rows = await (
                from image in db.Images
                join repository in db.Repositories on image.RepositoryId equals repository.Id
                where image.GoneAt == null
                select new
                {
                    image.Id, image.ParentId, image.Digest, image.RepositoryId, Repository = repository.Name, image.Class, image.Track,
                    image.Channel, image.Created, image.FirstSeen,
                })
            .ToListAsync(cancellationToken);
        // Every present manifest, platform children included, counts for the image a tag points at.
        var topOf = rows.ToDictionary(r => r.Id, r => r.ParentId ?? r.Id);
        var byDigest = rows.GroupBy(r => r.Digest, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(r => topOf[r.Id]).Distinct().ToArray(), StringComparer.Ordinal);
        var tags = (await db.Tags.Where(t => t.GoneAt == null).Select(t => new { t.Id, t.Name, t.ImageId, t.FirstSeen }).ToListAsync(cancellationToken))
            .ToLookup(t => t.ImageId, t => new TagFacts(t.Id, t.Name, t.FirstSeen));
        var manual = await db.ManualEols.ToDictionaryAsync(e => e.ImageId, cancellationToken);
        var images = rows
            .Where(r => r.ParentId is null)
            .Select(r => new LifecycleImage(r.Id, r.Digest, r.RepositoryId, r.Repository, r.Class, r.Track, r.Channel, r.Created, r.FirstSeen,
                [.. tags[r.Id]], manual.GetValueOrDefault(r.Id)?.Eol, manual.GetValueOrDefault(r.Id)?.SetBy))
            .ToList();

        // Only findings that can block under this policy are read: on a large estate most are Low and Medium. Malware is
        // always Critical (the malware scan reports it so, and the worst severity reported stands), so asking for the
        // blocking severities and Critical by severity alone finds it too, through the (ResolvedAt, Severity) index; a
        // condition on the kind as well would make the database read all million findings (measured: most of the plan).
        var blocking = policy.Classes.SelectMany(c => c.GraceDays.Keys).Distinct().ToHashSet();
        var read = blocking.Append(Severity.Critical).Distinct().ToList();
        var findingRows = await db.Findings
            .Where(f => f.ResolvedAt == null && read.Contains(f.Severity))
            .Select(f => new { f.Digest, f.Kind, f.VulnerabilityId, f.Package, f.Severity, f.FirstSeen })
            .ToListAsync(cancellationToken);
        var findings = new List<FindingFacts>(findingRows.Count);
        foreach (var f in findingRows)
        {
            if (!blocking.Contains(f.Severity) && f.Kind != FindingKind.Malware)
            {
                continue;
            }

            foreach (var imageId in byDigest.GetValueOrDefault(f.Digest) ?? [])
            {
                findings.Add(new FindingFacts(imageId, f.Digest, f.Kind, f.VulnerabilityId, f.Package, f.Severity, f.FirstSeen));
            }
        }

        var exceptions = await db.FindingExceptions.Where(e => e.RevokedAt == null && e.ExpiresAt > now).ToListAsync(cancellationToken);
        var workloads = await LoadWorkloadsAsync(db, topOf, cancellationToken);
        var holds = (await db.Holds.Where(h => h.LiftedAt == null && h.Until > now).ToListAsync(cancellationToken)).Select(h => h.ToFacts()).ToList();
        var extensions = (await db.ExtensionRequests.Where(r => r.Status == ExtensionStatus.Granted && r.GrantedUntil > now).ToListAsync(cancellationToken))
            .Select(r => r.ToFacts()!).ToList();
        // Only what was carried out is never planned again; a skipped or failed act is planned (and re-checked) anew.
        var executed = await db.LifecycleActions.Where(a => a.Status == ActionStatus.Done).Select(a => a.Key).ToListAsync(cancellationToken);
        var paths = (await db.MigrationPaths.Where(p => p.State != MigrationPathState.Revoked).ToListAsync(cancellationToken))
            .Select(p => p.ToFacts()).ToList();
        var choices = (await db.MigrationChoices.ToListAsync(cancellationToken)).Select(c => c.ToFacts()).ToList();
        return new LifecycleSnapshot(images, findings, exceptions, workloads, holds, extensions, paths, choices, executed.ToHashSet(StringComparer.Ordinal));
    }

    private static async Task<List<WorkloadFacts>> LoadWorkloadsAsync(PortalDbContext db, Dictionary<long, long> topOf, CancellationToken cancellationToken)
    {
        var workloads = await db.Workloads.Where(w => w.GoneAt == null)
            .Select(w => new { w.Id, w.Cluster, w.Namespace, w.Name, w.Kind, w.Lifetime, w.Status })
            .ToListAsync(cancellationToken);
        var uses = (await db.WorkloadImages.Where(i => i.ImageId != null).Select(i => new { i.WorkloadId, ImageId = i.ImageId!.Value })
                .ToListAsync(cancellationToken))
            .Where(u => topOf.ContainsKey(u.ImageId))
            .ToLookup(u => u.WorkloadId, u => topOf[u.ImageId]);
        var owners = (await db.NamespaceMembers.Where(m => m.Role == NamespaceRole.Owner).Select(m => new { m.Cluster, m.Namespace, m.Email })
                .ToListAsync(cancellationToken))
            .ToLookup(m => (m.Cluster, m.Namespace), m => m.Email);
        return workloads
            .Select(w => new WorkloadFacts(w.Id, w.Cluster, w.Namespace, w.Name, w.Kind, w.Lifetime, w.Status,
                [.. uses[w.Id].Distinct()], [.. owners[(w.Cluster, w.Namespace)]]))
            .ToList();
    }
}
