using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Findings;
using Portal.Core.Lifecycle;
using Portal.Data;
using Portal.Features.Audit;
using Portal.Features.Lifecycle;

namespace Portal.Features.Migrations;

/// <summary>What a refresh did: paths proposed, retargeted and revoked (with the revoked ones that had been approved).</summary>
public sealed record MigrationRefresh(int Proposed, int Retargeted, int Revoked, IReadOnlyList<MigrationPath> RevokedApproved)
{
    public string Message =>
        $"{Proposed} {(Proposed == 1 ? "path" : "paths")} proposed, {Retargeted} retargeted, {Revoked} revoked"
        + (RevokedApproved.Count > 0 ? $" ({RevokedApproved.Count} of them approved, admins told)." : ".");
}

/// <summary>How many open findings a migration fixes, adds and keeps, by severity (before exceptions).</summary>
public sealed record FindingDifference(
    IReadOnlyDictionary<Severity, int> Fixed, IReadOnlyDictionary<Severity, int> Added, int Kept, IReadOnlyList<FindingChange> Changes)
{
    public static FindingDifference None { get; } = new(new Dictionary<Severity, int>(), new Dictionary<Severity, int>(), 0, []);

    public int FixedCount => Fixed.Values.Sum();
    public int AddedCount => Added.Values.Sum();
}

/// <summary>One vulnerability in one package that the move fixes (<see cref="IsFixed"/>) or brings.</summary>
public sealed record FindingChange(string VulnerabilityId, string Package, Severity Severity, bool IsFixed);

/// <summary>A path as the Migrations page shows it: the difference in findings, how many workloads run the image and what their owners chose.</summary>
public sealed record MigrationPathView(MigrationPath Path, FindingDifference Difference, int Users, int ChoseMigrate, int ChoseNewNotebook);

/// <summary>
/// Migration paths: the portal proposes, for every image with an EOL date, the candidate replacement on its track
/// (<see cref="TrackOrder.CandidateFor"/>: newest Prod release without blocking findings); admins approve or revoke; a path
/// whose target gains a blocking finding (or an EOL, or leaves the registry) is revoked by the portal and admins are told.
/// A path an admin revoked is not proposed again for the same target.
/// </summary>
public sealed class MigrationPaths(
    IDbContextFactory<PortalDbContext> contexts, LifecyclePlanner planner, AuditLog audit, Notifications.AdminAlerts alerts, TimeProvider clock)
{
    private const int MaxListed = 1_000;
    private const int MaxChangesShown = 50;

    public async Task<IReadOnlyList<MigrationPathView>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;
        var paths = await db.MigrationPaths
            .OrderBy(p => p.State == MigrationPathState.Proposed ? 0 : p.State == MigrationPathState.Approved ? 1 : 2)
            .ThenByDescending(p => p.Id)
            .Take(MaxListed)
            .ToListAsync(cancellationToken);
        var differences = await DifferencesAsync(db, paths, cancellationToken);
        var fromIds = paths.Select(p => p.FromImageId).Distinct().ToList();
        var users = (await (
                    from use in db.WorkloadImages
                    join image in db.Images on use.ImageId equals image.Id
                    join workload in db.Workloads on use.WorkloadId equals workload.Id
                    where workload.GoneAt == null && fromIds.Contains(image.ParentId ?? image.Id)
                    select new { Top = image.ParentId ?? image.Id, use.WorkloadId })
                .ToListAsync(cancellationToken))
            .GroupBy(u => u.Top).ToDictionary(g => g.Key, g => g.Select(u => u.WorkloadId).Distinct().Count());
        var choices = (await db.MigrationChoices.Where(c => fromIds.Contains(c.FromImageId)).ToListAsync(cancellationToken))
            .ToLookup(c => c.PathId);
        return paths.Select(p => new MigrationPathView(p, differences.GetValueOrDefault(p.Id) ?? FindingDifference.None,
                users.GetValueOrDefault(p.FromImageId), choices[p.Id].Count(c => c.Migrate), choices[p.Id].Count(c => !c.Migrate)))
            .ToList();
    }

    /// <summary>The image's path that stands (approved before proposed, the newest), if any.</summary>
    public async Task<MigrationPath?> ForImageAsync(long imageId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.MigrationPaths.AsNoTracking()
            .Where(p => p.FromImageId == imageId && p.State != MigrationPathState.Revoked)
            .OrderBy(p => p.State == MigrationPathState.Approved ? 0 : 1).ThenByDescending(p => p.Id)
            .FirstOrDefaultAsync(cancellationToken);
    }

    public async Task<MigrationPathView?> GetAsync(long id, CancellationToken cancellationToken) =>
        (await ListAsync(cancellationToken)).FirstOrDefault(v => v.Path.Id == id);

    /// <summary>
    /// Proposes a path for every image with an EOL that has a candidate and no decided path, follows a better candidate
    /// while a proposal waits, and revokes paths whose target is no longer fit.
    /// </summary>
    public async Task<MigrationRefresh> RefreshAsync(CancellationToken cancellationToken)
    {
        var planned = await planner.PlanAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var images = planned.Snapshot.Images.ToDictionary(i => i.Id);
        var lifecycles = planned.Plan.Images.ToDictionary(i => i.ImageId);

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var paths = await db.MigrationPaths.ToListAsync(cancellationToken);
        var revokedPairs = paths.Where(p => p.State == MigrationPathState.Revoked).Select(p => (p.FromImageId, p.ToImageId)).ToHashSet();
        var revoked = new List<(MigrationPath Path, MigrationPathState Was)>();
        foreach (var path in paths.Where(p => p.State != MigrationPathState.Revoked))
        {
            var why = !images.TryGetValue(path.ToImageId, out var target) ? $"The target {path.To} is gone from the registry."
                : Unfit(target, lifecycles) ? $"The target {path.To} is no longer fit: {lifecycles[target.Id].Reason}"
                : !images.ContainsKey(path.FromImageId) ? $"{path.From} is gone from the registry; nobody needs to move off it."
                : null;
            if (why is not null)
            {
                var was = path.State;
                path.Revoke(MigrationPath.PortalActor, why, now);
                revoked.Add((path, was));
                revokedPairs.Add((path.FromImageId, path.ToImageId));
            }
        }

        var proposed = new List<MigrationPath>();
        var retargeted = new List<(MigrationPath Path, string Before)>();
        var active = paths.Where(p => p.State != MigrationPathState.Revoked).ToLookup(p => p.FromImageId);
        foreach (var image in planned.Snapshot.Images)
        {
            if (lifecycles.GetValueOrDefault(image.Id)?.Eol is null || active[image.Id].Any(p => p.State == MigrationPathState.Approved))
            {
                continue;
            }

            var candidate = TrackOrder.CandidateFor(image, planned.Snapshot.Images, i => Unfit(i, lifecycles));
            if (candidate is null || revokedPairs.Contains((image.Id, candidate.Image.Id)))
            {
                continue;
            }

            if (active[image.Id].FirstOrDefault() is { } waiting)
            {
                if (waiting.ToImageId != candidate.Image.Id)
                {
                    var before = waiting.To;
                    waiting.Retarget(candidate.Image.Id, candidate.Image.Display, candidate.Why, now);
                    retargeted.Add((waiting, before));
                }

                continue;
            }

            var path = MigrationPath.Propose(image.Id, image.Display, candidate.Image.Id, candidate.Image.Display, candidate.Why, now);
            db.MigrationPaths.Add(path);
            proposed.Add(path);
        }

        await db.SaveChangesAsync(cancellationToken);
        foreach (var path in proposed)
        {
            await audit.RecordAsync(AuditActorKind.Job, MigrationPath.PortalActor, AuditActions.MigrationProposed, Describe(path), null, path.Why,
                cancellationToken);
        }

        foreach (var (path, before) in retargeted)
        {
            await audit.RecordAsync(AuditActorKind.Job, MigrationPath.PortalActor, AuditActions.MigrationProposed, Describe(path),
                $"to {before}", $"to {path.To}: {path.Why}", cancellationToken);
        }

        var revokedApproved = revoked.Where(r => r.Was == MigrationPathState.Approved).Select(r => r.Path).ToList();
        foreach (var (path, was) in revoked)
        {
            await audit.RecordAsync(AuditActorKind.Job, MigrationPath.PortalActor, AuditActions.MigrationRevoked, Describe(path), was.ToString(),
                path.RevokeReason, cancellationToken);
        }

        // Owners may have chosen to move onto an approved target: admins hear at once that it no longer stands.
        foreach (var path in revokedApproved)
        {
            await alerts.QueueAsync($"path-revoked:{path.Id}", $"Migration path revoked: {path.From} to {path.To}",
                $"The portal revoked the approved path from {path.From} to {path.To}. {path.RevokeReason} Nobody is migrated along it any more; "
                + "the next refresh proposes another target if the track has one.",
                "/migrations", cancellationToken);
        }

        return new MigrationRefresh(proposed.Count, retargeted.Count, revoked.Count, revokedApproved);
    }

    public Task<LifecycleChangeResult> ApproveAsync(long id, string actor, CancellationToken cancellationToken) =>
        DecideAsync(id, AuditActions.MigrationApproved, actor, (path, now) => path.Approve(actor, now), cancellationToken);

    public Task<LifecycleChangeResult> RevokeAsync(long id, string? reason, string actor, CancellationToken cancellationToken) =>
        DecideAsync(id, AuditActions.MigrationRevoked, actor, (path, now) => path.Revoke(actor, reason, now), cancellationToken);

    private async Task<LifecycleChangeResult> DecideAsync(
        long id, string action, string actor, Func<MigrationPath, DateTimeOffset, IReadOnlyList<string>> step, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var path = await db.MigrationPaths.SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (path is null)
        {
            return LifecycleChangeResult.NotFound($"There is no migration path {id}.");
        }

        var before = path.State.ToString();
        var errors = step(path, clock.GetUtcNow());
        if (errors.Count > 0)
        {
            return LifecycleChangeResult.Invalid(errors, id);
        }

        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(AuditActorKind.Person, actor, action, Describe(path), before,
            path.State == MigrationPathState.Revoked ? $"Revoked: {path.RevokeReason}" : path.State.ToString(), cancellationToken);
        return LifecycleChangeResult.Done(id);
    }

    /// <summary>A target is unfit while it has blocking findings (after exceptions) or any EOL date.</summary>
    private static bool Unfit(LifecycleImage image, IReadOnlyDictionary<long, ImageLifecycle> lifecycles) =>
        lifecycles.TryGetValue(image.Id, out var lifecycle) && (lifecycle.BlockingFindings > 0 || lifecycle.Eol is not null);

    private static string Describe(MigrationPath path) => $"migration path {path.Id} from {path.From} to {path.To}";

    // Open findings of each side (an index with its platform images), compared by vulnerability and package.
    private static async Task<Dictionary<long, FindingDifference>> DifferencesAsync(
        PortalDbContext db, IReadOnlyList<MigrationPath> paths, CancellationToken cancellationToken)
    {
        var imageIds = paths.SelectMany(p => new[] { p.FromImageId, p.ToImageId }).Distinct().ToList();
        if (imageIds.Count == 0)
        {
            return [];
        }

        var digests = await db.Images.Where(i => imageIds.Contains(i.Id) || (i.ParentId != null && imageIds.Contains(i.ParentId.Value)))
            .Select(i => new { Top = i.ParentId ?? i.Id, i.Digest })
            .ToListAsync(cancellationToken);
        var digestList = digests.Select(d => d.Digest).Distinct().ToList();
        var findings = await db.Findings.Where(f => f.ResolvedAt == null && digestList.Contains(f.Digest))
            .Select(f => new { f.Digest, f.VulnerabilityId, f.Package, f.Severity })
            .ToListAsync(cancellationToken);
        var byDigest = findings.ToLookup(f => f.Digest, StringComparer.Ordinal);
        var ofImage = digests.ToLookup(d => d.Top, d => d.Digest);

        Dictionary<(string, string), Severity> Open(long imageId) =>
            ofImage[imageId].SelectMany(d => byDigest[d])
                .GroupBy(f => (f.VulnerabilityId, f.Package))
                .ToDictionary(g => g.Key, g => g.Max(f => f.Severity));

        var result = new Dictionary<long, FindingDifference>();
        foreach (var path in paths)
        {
            var from = Open(path.FromImageId);
            var to = Open(path.ToImageId);
            var fixedOnes = from.Where(f => !to.ContainsKey(f.Key)).Select(f => new FindingChange(f.Key.Item1, f.Key.Item2, f.Value, true));
            var added = to.Where(f => !from.ContainsKey(f.Key)).Select(f => new FindingChange(f.Key.Item1, f.Key.Item2, f.Value, false));
            var changes = fixedOnes.Concat(added).OrderByDescending(c => c.Severity).ThenBy(c => c.VulnerabilityId, StringComparer.Ordinal).ToList();
            result[path.Id] = new FindingDifference(
                changes.Where(c => c.IsFixed).GroupBy(c => c.Severity).ToDictionary(g => g.Key, g => g.Count()),
                changes.Where(c => !c.IsFixed).GroupBy(c => c.Severity).ToDictionary(g => g.Key, g => g.Count()),
                from.Keys.Count(to.ContainsKey),
                changes.Take(MaxChangesShown).ToList());
        }

        return result;
    }
}
