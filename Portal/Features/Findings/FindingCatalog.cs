using Microsoft.EntityFrameworkCore;
using Portal.Core.Findings;
using Portal.Core.Inventory;
using Portal.Core.Workloads;
using Portal.Data;

namespace Portal.Features.Findings;

public sealed record FindingFilter(
    string? Search = null, Severity? MinimumSeverity = null, FindingKind? Kind = null, ImageClass? Class = null, bool IncludeResolved = false,
    bool? Excepted = null);

public sealed record FindingPageRequest(FindingFilter Filter, int Skip = 0, int Take = 50);

public sealed record FindingRow(
    long Id, string VulnerabilityId, FindingKind Kind, Severity Severity, double? CvssScore, string Package, string InstalledVersion,
    string? FixedVersion, string Digest, string? Repository, ImageClass? Class, DateTimeOffset FirstSeen, DateTimeOffset? ResolvedAt,
    string Sources, ExceptionState? Exception);

public sealed record FindingPage(IReadOnlyList<FindingRow> Items, int TotalCount);

/// <summary>An image a vulnerability is open in, named the way people pull it.</summary>
public sealed record ImpactedImage(long ImageId, string Reference, string Digest, IReadOnlyList<string> Tags, ImageClass Class, string Package, bool Excepted);

public sealed record ImpactedWorkload(string Cluster, string Namespace, string Name, WorkloadKind Kind, string Status, string? Owner, string Digest);

/// <summary>"This CVE: which images, which running notebooks, which owners", with counts.</summary>
public sealed record ImpactedArtifacts(
    string VulnerabilityId, IReadOnlyList<ImpactedImage> Images, IReadOnlyList<ImpactedWorkload> Workloads, IReadOnlyList<string> Owners);

/// <summary>Reads findings for the Findings page, image detail and impacted artifacts; exceptions applied.</summary>
public sealed class FindingCatalog(IDbContextFactory<PortalDbContext> contexts, TimeProvider clock)
{
    public const int MaxPageSize = 500;

    public async Task<FindingPage> SearchAsync(FindingPageRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Skip);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.Take, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(request.Take, MaxPageSize);
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var filter = request.Filter;
        // Scalar subqueries rather than navigations: they translate on both providers and keep one row per finding even
        // when the same digest sits in several repositories (the first repository names it).
        var query =
            from finding in db.Findings.AsNoTracking()
            select new
            {
                Finding = finding,
                Repository = db.Images.Where(i => i.Digest == finding.Digest).OrderBy(i => i.Id)
                    .Join(db.Repositories, i => i.RepositoryId, r => r.Id, (i, r) => r.Name).FirstOrDefault(),
                Class = db.Images.Where(i => i.Digest == finding.Digest).OrderBy(i => i.Id).Select(i => (ImageClass?)i.Class).FirstOrDefault(),
                Exception = db.FindingExceptions
                    .Where(e => e.RevokedAt == null && e.ExpiresAt > now && e.VulnerabilityId == finding.VulnerabilityId
                        && (e.Digest == null || e.Digest == finding.Digest)
                        && (e.Package == null || e.Package == finding.Package)
                        && (e.Repository == null || db.Images.Any(i => i.Digest == finding.Digest
                            && db.Repositories.Any(r => r.Id == i.RepositoryId && r.Name == e.Repository))))
                    .OrderBy(e => e.Id)
                    .Select(e => (ExceptionState?)e.State)
                    .FirstOrDefault(),
            };

        if (!filter.IncludeResolved)
        {
            query = query.Where(x => x.Finding.ResolvedAt == null);
        }

        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            var search = filter.Search.Trim();
            query = query.Where(x => x.Finding.VulnerabilityId.Contains(search) || x.Finding.Package.Contains(search)
                || (x.Repository != null && x.Repository.Contains(search)) || x.Finding.Digest.Contains(search));
        }

        if (filter.MinimumSeverity is { } minimum)
        {
            var severities = Enum.GetValues<Severity>().Where(s => s >= minimum).ToList();
            query = query.Where(x => severities.Contains(x.Finding.Severity));
        }

        if (filter.Kind is { } kind)
        {
            query = query.Where(x => x.Finding.Kind == kind);
        }

        if (filter.Class is { } imageClass)
        {
            query = query.Where(x => x.Class == imageClass);
        }

        if (filter.Excepted is { } excepted)
        {
            query = excepted ? query.Where(x => x.Exception != null) : query.Where(x => x.Exception == null);
        }

        var total = await query.CountAsync(cancellationToken);
        // Severity is stored by name: order by rank, worst first, then the newest.
        var page = await query
            .OrderBy(x => x.Finding.Severity == Severity.Critical ? 0 : x.Finding.Severity == Severity.High ? 1
                : x.Finding.Severity == Severity.Medium ? 2 : x.Finding.Severity == Severity.Low ? 3 : 4)
            .ThenByDescending(x => x.Finding.FirstSeen)
            .ThenBy(x => x.Finding.Id)
            .Skip(request.Skip)
            .Take(request.Take)
            .Select(x => new FindingRow(
                x.Finding.Id, x.Finding.VulnerabilityId, x.Finding.Kind, x.Finding.Severity, x.Finding.CvssScore, x.Finding.Package,
                x.Finding.InstalledVersion, x.Finding.FixedVersion, x.Finding.Digest,
                x.Repository,
                x.Class,
                x.Finding.FirstSeen, x.Finding.ResolvedAt, x.Finding.Sources,
                x.Exception))
            .ToListAsync(cancellationToken);
        return new FindingPage(page, total);
    }

    public async Task WriteCsvAsync(FindingFilter filter, Stream output, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(output, leaveOpen: true);
        await using var csv = new CsvHelper.CsvWriter(writer, System.Globalization.CultureInfo.InvariantCulture);
        foreach (var header in new[] { "VulnerabilityId", "Kind", "Severity", "Cvss", "Package", "Installed", "Fixed", "Digest", "Repository", "Class", "FirstSeen", "Resolved", "Sources", "Exception" })
        {
            csv.WriteField(header);
        }

        await csv.NextRecordAsync();
        const int batch = 500;
        for (var skip = 0; ; skip += batch)
        {
            var page = await SearchAsync(new FindingPageRequest(filter, skip, batch), cancellationToken);
            foreach (var row in page.Items)
            {
                csv.WriteField(Audit.AuditSearch.CsvSafe(row.VulnerabilityId));
                csv.WriteField(row.Kind.ToString());
                csv.WriteField(row.Severity.ToString());
                csv.WriteField(row.CvssScore?.ToString(System.Globalization.CultureInfo.InvariantCulture));
                csv.WriteField(Audit.AuditSearch.CsvSafe(row.Package));
                csv.WriteField(Audit.AuditSearch.CsvSafe(row.InstalledVersion));
                csv.WriteField(Audit.AuditSearch.CsvSafe(row.FixedVersion));
                csv.WriteField(row.Digest);
                csv.WriteField(Audit.AuditSearch.CsvSafe(row.Repository));
                csv.WriteField(row.Class?.ToString());
                csv.WriteField(row.FirstSeen.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                csv.WriteField(row.ResolvedAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                csv.WriteField(row.Sources);
                csv.WriteField(row.Exception?.ToString());
                await csv.NextRecordAsync();
            }

            if (page.Items.Count < batch)
            {
                break;
            }
        }
    }

    /// <summary>Images with the vulnerability open, the present workloads running them, and their owners.</summary>
    public async Task<ImpactedArtifacts> ImpactedAsync(string vulnerabilityId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vulnerabilityId);
        var now = clock.GetUtcNow();
        var id = vulnerabilityId.Trim();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var open = await db.Findings.AsNoTracking()
            .Where(f => f.VulnerabilityId == id && f.ResolvedAt == null)
            .Select(f => new { f.Digest, f.Package, f.VulnerabilityId })
            .ToListAsync(cancellationToken);
        var digests = open.Select(f => f.Digest).Distinct().ToList();
        var images = await (
                from image in db.Images.AsNoTracking()
                join repository in db.Repositories on image.RepositoryId equals repository.Id
                join registry in db.Registries on repository.RegistryId equals registry.Id
                where digests.Contains(image.Digest)
                select new { image.Id, image.Digest, image.ParentId, image.Class, Repository = repository.Name, registry.Url })
            .ToListAsync(cancellationToken);
        var imageIds = images.Select(i => i.Id).ToList();
        var tags = (await db.Tags.AsNoTracking()
                .Where(t => imageIds.Contains(t.ImageId) && t.GoneAt == null)
                .Select(t => new { t.ImageId, t.Name })
                .ToListAsync(cancellationToken))
            .ToLookup(t => t.ImageId, t => t.Name);
        var exceptions = await db.FindingExceptions.AsNoTracking()
            .Where(e => e.VulnerabilityId == id && e.RevokedAt == null && e.ExpiresAt > now)
            .ToListAsync(cancellationToken);

        var impactedImages = images
            .SelectMany(i => open.Where(f => f.Digest == i.Digest).Select(f => new ImpactedImage(
                i.Id,
                $"{ImageRegistry.ReferenceHostOf(i.Url)}/{i.Repository}@{i.Digest}",
                i.Digest,
                tags[i.Id].Order(StringComparer.Ordinal).ToList(),
                i.Class,
                f.Package,
                exceptions.Any(e => (e.Repository == null || e.Repository == i.Repository) && (e.Digest == null || e.Digest == i.Digest)
                    && (e.Package == null || e.Package == f.Package)))))
            .OrderBy(i => i.Reference, StringComparer.Ordinal)
            .ToList();

        var workloads = await (
                from use in db.WorkloadImages.AsNoTracking()
                join workload in db.Workloads on use.WorkloadId equals workload.Id
                where workload.GoneAt == null && ((use.ImageId != null && imageIds.Contains(use.ImageId.Value)) || (use.Digest != null && digests.Contains(use.Digest)))
                select new
                {
                    workload.Cluster, workload.Namespace, workload.Name, workload.Kind, workload.Status,
                    Owner = db.NamespaceMembers
                        .Where(m => m.Cluster == workload.Cluster && m.Namespace == workload.Namespace && m.Role == NamespaceRole.Owner)
                        .Select(m => m.Email)
                        .FirstOrDefault(),
                    use.Digest,
                    use.ImageId,
                })
            .ToListAsync(cancellationToken);
        var digestOfImage = images.ToDictionary(i => i.Id, i => i.Digest);
        var impactedWorkloads = workloads
            .Select(w => new ImpactedWorkload(w.Cluster, w.Namespace, w.Name, w.Kind, w.Status, w.Owner,
                w.ImageId is { } imageId && digestOfImage.TryGetValue(imageId, out var d) ? d : w.Digest ?? ""))
            .DistinctBy(w => (w.Cluster, w.Namespace, w.Name, w.Kind))
            .OrderBy(w => w.Namespace, StringComparer.Ordinal).ThenBy(w => w.Name, StringComparer.Ordinal)
            .ToList();
        var owners = impactedWorkloads.Select(w => w.Owner).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();
        return new ImpactedArtifacts(id, impactedImages, impactedWorkloads, owners);
    }
}
