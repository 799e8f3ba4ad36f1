using Microsoft.EntityFrameworkCore;
using Portal.Core.Findings;
using Portal.Core.Lifecycle;
using Portal.Data;

namespace Portal.Features.Lifecycle;

/// <summary>
/// Where a few images stand (state, EOL date and why), exactly as the plan would say, without planning the whole
/// estate: reads only those images, their platform children's and their own blocking findings, the holds on them or
/// their repositories and the active exceptions, and asks the decision engine. For image pages and My workloads.
/// </summary>
public sealed class ImageLifecycles(IDbContextFactory<PortalDbContext> contexts, LifecyclePolicies policies, TimeProvider clock)
{
    /// <summary>Keyed by the ids asked for; a platform image of an index answers with its index's lifecycle; gone images are left out.</summary>
    public async Task<IReadOnlyDictionary<long, ImageLifecycle>> OfAsync(IReadOnlyCollection<long> imageIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(imageIds);
        if (imageIds.Count == 0)
        {
            return new Dictionary<long, ImageLifecycle>();
        }

        var policy = await policies.CurrentAsync(cancellationToken);
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;

        var asked = imageIds.Distinct().ToList();
        var topOfAsked = await db.Images.Where(i => asked.Contains(i.Id))
            .Select(i => new { i.Id, Top = i.ParentId ?? i.Id })
            .ToDictionaryAsync(i => i.Id, i => i.Top, cancellationToken);
        var tops = topOfAsked.Values.Distinct().ToList();
        var rows = await (
                from image in db.Images
                join repository in db.Repositories on image.RepositoryId equals repository.Id
                where image.GoneAt == null && (tops.Contains(image.Id) || (image.ParentId != null && tops.Contains(image.ParentId.Value)))
                select new
                {
                    image.Id, image.ParentId, image.Digest, image.RepositoryId, Repository = repository.Name, image.Class, image.Track,
                    image.Channel, image.Created, image.FirstSeen,
                })
            .ToListAsync(cancellationToken);

        var manual = await db.ManualEols.Where(e => tops.Contains(e.ImageId)).ToDictionaryAsync(e => e.ImageId, cancellationToken);
        var images = rows.Where(r => r.ParentId is null)
            .Select(r => new LifecycleImage(r.Id, r.Digest, r.RepositoryId, r.Repository, r.Class, r.Track, r.Channel, r.Created, r.FirstSeen, [],
                manual.GetValueOrDefault(r.Id)?.Eol, manual.GetValueOrDefault(r.Id)?.SetBy))
            .ToList();

        // A platform image's findings count for its index, as in the plan.
        var imagesOfDigest = rows.ToLookup(r => r.Digest, r => r.ParentId ?? r.Id, StringComparer.Ordinal);
        var digests = imagesOfDigest.Select(g => g.Key).ToList();
        var severities = policy.Classes.SelectMany(c => c.GraceDays.Keys).Distinct().ToList();
        var findings = (await db.Findings
                .Where(f => digests.Contains(f.Digest) && f.ResolvedAt == null && (severities.Contains(f.Severity) || f.Kind == FindingKind.Malware))
                .ToListAsync(cancellationToken))
            .SelectMany(f => imagesOfDigest[f.Digest].Distinct()
                .Select(imageId => new FindingFacts(imageId, f.Digest, f.Kind, f.VulnerabilityId, f.Package, f.Severity, f.FirstSeen)))
            .ToList();

        var repositories = images.Select(i => (long)i.RepositoryId).Distinct().ToList();
        var holds = (await db.Holds
                .Where(h => h.LiftedAt == null && h.Until > now
                    && ((h.SubjectKind == HoldSubjectKind.Image && tops.Contains(h.SubjectId))
                        || (h.SubjectKind == HoldSubjectKind.Repository && repositories.Contains(h.SubjectId))))
                .ToListAsync(cancellationToken))
            .Select(h => h.ToFacts()).ToList();
        var exceptions = await db.FindingExceptions.Where(e => e.RevokedAt == null && e.ExpiresAt > now).ToListAsync(cancellationToken);

        var snapshot = LifecycleSnapshot.Empty with { Images = images, Findings = findings, Exceptions = exceptions, Holds = holds };
        var assessed = DecisionEngine.Decide(snapshot, policy, now).Images.ToDictionary(i => i.ImageId);
        return topOfAsked.Where(kv => assessed.ContainsKey(kv.Value)).ToDictionary(kv => kv.Key, kv => assessed[kv.Value]);
    }
}
