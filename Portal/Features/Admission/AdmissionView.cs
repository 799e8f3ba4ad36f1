using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Admission;
using Portal.Core.Findings;
using Portal.Core.Inventory;
using Portal.Core.Lifecycle;
using Portal.Data;
using Portal.Features.Lifecycle;

namespace Portal.Features.Admission;

/// <summary>
/// The in-memory view admission decides from, so a review costs no database round trip. Built at start, rebuilt
/// soon after anything that changes the plan or the inventory says so (<see cref="Invalidate"/>: syncs, scans, holds,
/// EOL dates, policies, migration paths) and at least every <see cref="AdmissionOptions.RefreshMinutes"/>. A rebuild
/// reads the lifecycle plan and a few lookups, makes a new immutable index and swaps it in; a failed rebuild keeps the
/// last good one. Until the first build, <see cref="Current"/> is null and reviews answer 503, so the cluster's
/// failurePolicy decides rather than a guess.
/// </summary>
public sealed class AdmissionView(
    IDbContextFactory<PortalDbContext> contexts,
    EstateChanges changes,
    LifecyclePlanner planner,
    AdmissionPolicies policies,
    TimeProvider clock,
    IOptions<AdmissionOptions> options,
    ILogger<AdmissionView> logger) : BackgroundService
{
    // Changes arrive in bursts (a sync saves many times); they are coalesced into one rebuild shortly after the first.
    private static readonly TimeSpan Coalesce = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _building = new(1, 1);
    private volatile AdmissionIndex? _current;

    /// <summary>The latest index, or null before the first build.</summary>
    public AdmissionIndex? Current => _current;

    /// <summary>How long the last build took, for the Admission page and the logs.</summary>
    public TimeSpan LastBuildTime { get; private set; }

    /// <summary>Says the estate changed: a rebuild follows soon. Cheap and never blocks; callable from anywhere.</summary>
    public void Invalidate() => changes.Signal();

    /// <summary>Builds now and swaps the new index in (one build at a time).</summary>
    public async Task<AdmissionIndex> RefreshAsync(CancellationToken cancellationToken)
    {
        await _building.WaitAsync(cancellationToken);
        try
        {
            var started = Stopwatch.GetTimestamp();
            var index = await BuildAsync(cancellationToken);
            _current = index;
            LastBuildTime = Stopwatch.GetElapsedTime(started);
            logger.LogInformation("Admission view built: {Digests} digests, {Tags} tags in {Elapsed} ms", index.DigestCount, index.TagCount,
                (long)LastBuildTime.TotalMilliseconds);
            return index;
        }
        finally
        {
            _building.Release();
        }
    }

    /// <summary>The first build happens before the portal takes requests (after migrations), so reviews find a view from the start.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await TryRefreshAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromMinutes(options.Value.RefreshMinutes);
        while (!stoppingToken.IsCancellationRequested)
        {
            // Waits for a change (then a short pause so a burst becomes one rebuild) or for the period to pass.
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            wait.CancelAfter(_current is null ? TimeSpan.FromSeconds(10) : period);
            try
            {
                await changes.WaitAsync(wait.Token);
                await Task.Delay(Coalesce, stoppingToken);
                changes.Clear();
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
            }

            await TryRefreshAsync(stoppingToken);
        }
    }

    private async Task TryRefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RefreshAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "The admission view could not be built; reviews keep using the previous one (503 before the first)");
        }
    }

    private async Task<AdmissionIndex> BuildAsync(CancellationToken cancellationToken)
    {
        var policy = await policies.CurrentAsync(cancellationToken);
        var plan = await planner.PlanAsync(cancellationToken);
        var now = plan.Plan.ComputedAt;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;

        var repositories = (await (
                    from repository in db.Repositories
                    join registry in db.Registries on repository.RegistryId equals registry.Id
                    select new { repository.Id, repository.Name, registry.Url })
                .ToListAsync(cancellationToken))
            .ToDictionary(r => r.Id, r => (Host: ImageRegistry.ReferenceHostOf(r.Url), r.Name));
        // Platform children answer for their index: a pod may name the digest of one platform's manifest.
        var children = await db.Images.Where(i => i.ParentId != null && i.GoneAt == null)
            .Select(i => new { i.Digest, ParentId = i.ParentId!.Value })
            .ToListAsync(cancellationToken);
        var scanned = (await db.ScanRecords.Select(r => r.Digest).Distinct().ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var replacements = (await db.MigrationPaths.Where(p => p.State == MigrationPathState.Approved)
                .Select(p => new { p.Id, p.FromImageId, p.To })
                .ToListAsync(cancellationToken))
            .GroupBy(p => p.FromImageId)
            .ToDictionary(g => g.Key, g => g.MaxBy(p => p.Id)!.To);

        var snapshot = plan.Snapshot;
        var lifecycles = plan.Plan.Images.ToDictionary(i => i.ImageId);
        var malware = snapshot.Findings.Where(f => f.Kind == FindingKind.Malware)
            .GroupBy(f => f.ImageId)
            .ToDictionary(g => g.Key, g => g.MinBy(f => f.FirstSeen)!);
        var imageHolds = snapshot.Holds.Where(h => h.SubjectKind == HoldSubjectKind.Image).ToLookup(h => h.SubjectId);
        var repositoryHolds = snapshot.Holds.Where(h => h.SubjectKind == HoldSubjectKind.Repository).ToLookup(h => h.SubjectId);
        var childDigests = children.ToLookup(c => c.ParentId, c => c.Digest);

        var byDigest = new Dictionary<string, AdmissionImage>(snapshot.Images.Count + children.Count, StringComparer.Ordinal);
        var byTag = new Dictionary<string, AdmissionImage>(StringComparer.Ordinal);
        foreach (var image in snapshot.Images)
        {
            var (host, name) = repositories.TryGetValue(image.RepositoryId, out var r) ? r : ("", image.Repository);
            var lifecycle = lifecycles.GetValueOrDefault(image.Id);
            var infected = malware.GetValueOrDefault(image.Id);
            var entry = new AdmissionImage(
                image.Id,
                $"{host}/{name}",
                image.Class,
                scanned.Contains(image.Digest) || childDigests[image.Id].Any(scanned.Contains),
                lifecycle?.Eol,
                CauseOf(lifecycle),
                infected?.VulnerabilityId,
                infected?.Package,
                AdmissionIndex.LongestTerminationHold(imageHolds[image.Id].Concat(repositoryHolds[image.RepositoryId]), now),
                replacements.GetValueOrDefault(image.Id));
            byDigest[image.Digest] = entry;
            foreach (var child in childDigests[image.Id])
            {
                byDigest.TryAdd(child, entry);
            }

            foreach (var tag in image.Tags)
            {
                byTag[AdmissionIndex.TagKey(host, name, tag.Name)] = entry;
            }
        }

        var workloadHoldIds = snapshot.Holds.Where(h => h.SubjectKind == HoldSubjectKind.Workload).Select(h => h.SubjectId).Distinct().ToList();
        var heldWorkloads = await db.Workloads.Where(w => workloadHoldIds.Contains(w.Id))
            .Select(w => new { w.Id, w.Namespace, w.Name, w.ControllerName })
            .ToDictionaryAsync(w => w.Id, cancellationToken);
        var workloadHolds = new List<KeyValuePair<(string, string), AdmissionHold>>();
        foreach (var hold in snapshot.Holds.Where(h => h.SubjectKind == HoldSubjectKind.Workload && h.Pauses(HoldScope.Termination, now)))
        {
            if (heldWorkloads.TryGetValue(hold.SubjectId, out var workload))
            {
                var held = new AdmissionHold(hold.Until, hold.By, hold.Reason);
                workloadHolds.Add(new((workload.Namespace, workload.Name), held));
                // A replaced pod gets a new name; its controller (Deployment, StatefulSet, Job) keeps the one the hold meant.
                if (workload.ControllerName is { } controller)
                {
                    workloadHolds.Add(new((workload.Namespace, controller), held));
                }
            }
        }

        return new AdmissionIndex(policy, byDigest, byTag, workloadHolds, clock.GetUtcNow());
    }

    private static string? CauseOf(ImageLifecycle? lifecycle) =>
        lifecycle switch
        {
            null or { Eol: null } => null,
            { Cause: { } cause } => cause.Kind == FindingKind.Malware
                ? $"malware {cause.VulnerabilityId} in {cause.Package}"
                : $"{cause.VulnerabilityId} ({cause.Severity}) in {cause.Package}",
            { ManualEolBy: { } by } => $"EOL set by {by}",
            _ => "EOL set by an admin",
        };

    public override void Dispose()
    {
        _building.Dispose();
        base.Dispose();
    }
}
