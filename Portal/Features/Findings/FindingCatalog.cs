using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Findings;
using Portal.Core.Inventory;
using Portal.Core.Workloads;
using Portal.Data;

namespace Portal.Features.Findings;

/// <param name="Digests">Only findings of these digests (an image and its platform images); null for every digest.</param>
public sealed record FindingFilter(
    string? Search = null, Severity? MinimumSeverity = null, FindingKind? Kind = null, ImageClass? Class = null, bool IncludeResolved = false,
    bool? Excepted = null, IReadOnlyList<string>? Digests = null);

public enum FindingSortField
{
    /// <summary>Worst first when descending, then the newest.</summary>
    Severity,
    VulnerabilityId,
    Package,
    Repository,
    FirstSeen,
}

public sealed record FindingPageRequest(
    FindingFilter Filter, int Skip = 0, int Take = 50, FindingSortField SortBy = FindingSortField.Severity, bool Descending = true);

/// <param name="ImageId">The inventory image that names the digest (the index for a platform image); null when the inventory has none.</param>
/// <param name="Exception">The state of the active exception covering it, if any (the one that runs longest).</param>
/// <param name="ExceptedUntil">When that exception expires.</param>
public sealed record FindingRow(
    long Id, string VulnerabilityId, FindingKind Kind, Severity Severity, double? CvssScore, string Package, string InstalledVersion,
    string? FixedVersion, string Digest, string? Repository, ImageClass? Class, DateTimeOffset FirstSeen, DateTimeOffset? ResolvedAt,
    string Sources, ExceptionState? Exception, DateTimeOffset? ExceptedUntil = null, long? ImageId = null, string? Title = null)
{
    public string ShortDigest => Digest.Length > 19 ? Digest[..19] : Digest;
}

/// <param name="TotalCount">How many findings match the filter; when <paramref name="TotalIsLowerBound"/> is set, at least this many.</param>
/// <param name="TotalIsLowerBound">
/// Counting stopped <see cref="FindingsOptions.CountLimit"/> findings (or a page, when larger) past the page's start: more than <c>TotalCount - 1</c>
/// match. The total is then only good for paging on, and for asking for narrower filters.
/// </param>
public sealed record FindingPage(IReadOnlyList<FindingRow> Items, int TotalCount, bool TotalIsLowerBound = false);

/// <summary>Open findings of a set of digests per severity, exceptions applied: excepted ones are counted apart.</summary>
public sealed record SeverityCounts(int Critical, int High, int Medium, int Low, int Unknown, int Excepted)
{
    public int Open => Critical + High + Medium + Low + Unknown;

    public int this[Severity severity] => severity switch
    {
        Severity.Critical => Critical,
        Severity.High => High,
        Severity.Medium => Medium,
        Severity.Low => Low,
        _ => Unknown,
    };
}

/// <summary>The latest report received for an image's digests: whether, when and by what it was scanned.</summary>
public sealed record LatestScan(string Digest, ReportFormat Format, string Scanner, string Source, DateTimeOffset ReceivedAt, int Findings);

/// <summary>One vulnerable package of an impacted image, and the exception that covers it if one does.</summary>
public sealed record ImpactedPackage(
    string Package, string InstalledVersion, string? FixedVersion, Severity Severity, ExceptionState? Exception, DateTimeOffset? ExceptedUntil);

/// <summary>
/// An image a vulnerability is open in, named the way people pull it. <see cref="ImageId"/> is null for a digest a
/// scanner reported that the inventory does not hold (its registry is not synced, or the report came first).
/// </summary>
public sealed record ImpactedImage(
    long? ImageId, string Reference, string Digest, string? Repository, IReadOnlyList<string> Tags, IReadOnlyList<string> TagReferences,
    ImageClass? Class, IReadOnlyList<ImpactedPackage> Packages)
{
    /// <summary>Every vulnerable package of the image is covered by an active exception.</summary>
    public bool Excepted => Packages.Count > 0 && Packages.All(p => p.Exception is not null);
}

public sealed record ImpactedWorkload(string Cluster, string Namespace, string Name, WorkloadKind Kind, string Status, string? Owner, string Digest);

/// <summary>What the scanners said about a vulnerability: the worst severity and score reported, a title and an advisory link.</summary>
public sealed record VulnerabilitySummary(
    Severity Severity, double? CvssScore, string? Title, string? PrimaryUrl, FindingKind Kind, int OpenFindings, int ResolvedFindings);

/// <summary>"This CVE: which images, which running notebooks, which owners", with counts.</summary>
public sealed record ImpactedArtifacts(
    string VulnerabilityId, IReadOnlyList<ImpactedImage> Images, IReadOnlyList<ImpactedWorkload> Workloads, IReadOnlyList<string> Owners,
    VulnerabilitySummary? Summary = null);

/// <summary>Query parts the findings pages and the dashboard share, so that "excepted" means the same everywhere.</summary>
public static class FindingQueries
{
    /// <summary>
    /// Findings no exception active at <paramref name="at"/> covers: same vulnerability id, and every scope the exception
    /// names matches (a repository scope matches a digest the inventory holds in that repository).
    /// </summary>
    public static IQueryable<Finding> NotExceptedAt(this IQueryable<Finding> findings, PortalDbContext db, DateTimeOffset at) =>
        findings.Where(f => !db.FindingExceptions.Any(e =>
            e.CreatedAt <= at && e.ExpiresAt > at && (e.RevokedAt == null || e.RevokedAt > at)
            && e.VulnerabilityId == f.VulnerabilityId
            && (e.Digest == null || e.Digest == f.Digest)
            && (e.Package == null || e.Package == f.Package)
            && (e.Repository == null || db.Images.Any(i => i.Digest == f.Digest
                && db.Repositories.Any(r => r.Id == i.RepositoryId && r.Name == e.Repository)))));

    /// <summary>Orders findings worst first (severity is stored by name, so by rank).</summary>
    public static int Rank(Severity severity) => severity switch
    {
        Severity.Critical => 0,
        Severity.High => 1,
        Severity.Medium => 2,
        Severity.Low => 3,
        _ => 4,
    };
}

/// <summary>Reads findings for the Findings page, image detail and impacted artifacts; exceptions applied.</summary>
public sealed class FindingCatalog(IDbContextFactory<PortalDbContext> contexts, IOptions<FindingsOptions> options, TimeProvider clock)
{
    public const int MaxPageSize = 500;

    /// <summary>
    /// A page of the findings matching the filter, and how many match: exactly up to <see cref="FindingsOptions.CountLimit"/>
    /// findings past the page's start, a lower bound beyond (see <see cref="FindingPage.TotalIsLowerBound"/>).
    /// </summary>
    public async Task<FindingPage> SearchAsync(FindingPageRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Skip);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.Take, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(request.Take, MaxPageSize);
        // Counting every match of a million open findings takes far longer than reading a page. Counting on from the
        // page's start rather than from the first finding keeps a page further on always reachable from this one, and
        // a count that stopped inside the page would be less than the rows shown.
        var countUpTo = (int)Math.Min((long)request.Skip + Math.Max(options.Value.CountLimit, request.Take), int.MaxValue - 1);
        var (rows, counted) = await ReadAsync(request, countUpTo, cancellationToken);
        return new FindingPage(rows, counted!.Value, counted > countUpTo);
    }

    /// <summary>A page of findings, and when <paramref name="countUpTo"/> is given, how many match (stopping one past it).</summary>
    private async Task<(IReadOnlyList<FindingRow> Rows, int? Counted)> ReadAsync(FindingPageRequest request, int? countUpTo,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var filter = request.Filter;
        var findings = db.Findings.AsNoTracking();
        if (filter.Digests is { } digests)
        {
            var wanted = digests.Distinct(StringComparer.Ordinal).ToList();
            findings = findings.Where(f => wanted.Contains(f.Digest));
        }

        // Scalar subqueries rather than navigations: they translate on both providers and keep one row per finding even
        // when the same digest sits in several repositories (the first repository names it).
        var query =
            from finding in findings
            select new
            {
                Finding = finding,
                Repository = db.Images.Where(i => i.Digest == finding.Digest).OrderBy(i => i.Id)
                    .Join(db.Repositories, i => i.RepositoryId, r => r.Id, (i, r) => r.Name).FirstOrDefault(),
                Class = db.Images.Where(i => i.Digest == finding.Digest).OrderBy(i => i.Id).Select(i => (ImageClass?)i.Class).FirstOrDefault(),
                ImageId = db.Images.Where(i => i.Digest == finding.Digest).OrderBy(i => i.Id).Select(i => (long?)(i.ParentId ?? i.Id)).FirstOrDefault(),
                // Of several exceptions covering a finding, the one that runs longest says how long it stays excepted.
                ExceptionId = db.FindingExceptions
                    .Where(e => e.RevokedAt == null && e.ExpiresAt > now && e.VulnerabilityId == finding.VulnerabilityId
                        && (e.Digest == null || e.Digest == finding.Digest)
                        && (e.Package == null || e.Package == finding.Package)
                        && (e.Repository == null || db.Images.Any(i => i.Digest == finding.Digest
                            && db.Repositories.Any(r => r.Id == i.RepositoryId && r.Name == e.Repository))))
                    .OrderByDescending(e => e.ExpiresAt).ThenBy(e => e.Id)
                    .Select(e => (long?)e.Id)
                    .FirstOrDefault(),
            };

        if (!filter.IncludeResolved)
        {
            query = query.Where(x => x.Finding.ResolvedAt == null);
        }

        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            // Case-insensitive on both providers (Contains alone is case-sensitive on SQLite and PostgreSQL): "cve-2023" finds CVE-2023-….
            var search = filter.Search.Trim().ToLowerInvariant();
#pragma warning disable CA1304, CA1311, CA1862 // Runs as SQL (lower() and instr/strpos): culture and StringComparison overloads do not translate.
            // Repositories are matched once, into the digests stored in them, rather than looked up for every finding: over
            // a million findings that halves the time of a search. A digest matches when any repository holding it does.
            var inMatchingRepository = db.Images
                .Join(db.Repositories.Where(r => r.Name.ToLower().Contains(search)), i => i.RepositoryId, r => r.Id, (i, r) => i.Digest);
            query = query.Where(x => x.Finding.VulnerabilityId.ToLower().Contains(search) || x.Finding.Package.ToLower().Contains(search)
                || x.Finding.Digest.Contains(search) || inMatchingRepository.Contains(x.Finding.Digest));
#pragma warning restore CA1304, CA1311, CA1862
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
            query = excepted ? query.Where(x => x.ExceptionId != null) : query.Where(x => x.ExceptionId == null);
        }

        // One past the limit says whether there are more. EF leaves the per-row lookups out of the count unless a filter
        // reads them (FindingCatalogTests holds it to that).
        int? counted = countUpTo is { } limit ? await query.Take(limit + 1).CountAsync(cancellationToken) : null;
        var descending = request.Descending;
        var ordered = request.SortBy switch
        {
            FindingSortField.VulnerabilityId => descending ? query.OrderByDescending(x => x.Finding.VulnerabilityId) : query.OrderBy(x => x.Finding.VulnerabilityId),
            FindingSortField.Package => descending ? query.OrderByDescending(x => x.Finding.Package) : query.OrderBy(x => x.Finding.Package),
            FindingSortField.Repository => descending ? query.OrderByDescending(x => x.Repository) : query.OrderBy(x => x.Repository),
            FindingSortField.FirstSeen => descending ? query.OrderByDescending(x => x.Finding.FirstSeen) : query.OrderBy(x => x.Finding.FirstSeen),
            // Severity is stored by name: order by rank. Descending means worst first.
            _ => descending
                ? query.OrderBy(x => x.Finding.Severity == Severity.Critical ? 0 : x.Finding.Severity == Severity.High ? 1
                    : x.Finding.Severity == Severity.Medium ? 2 : x.Finding.Severity == Severity.Low ? 3 : 4)
                : query.OrderByDescending(x => x.Finding.Severity == Severity.Critical ? 0 : x.Finding.Severity == Severity.High ? 1
                    : x.Finding.Severity == Severity.Medium ? 2 : x.Finding.Severity == Severity.Low ? 3 : 4),
        };
        // Ties: worst first, then the newest, then a stable order so that pages never overlap.
        var page = await ordered
            .ThenBy(x => x.Finding.Severity == Severity.Critical ? 0 : x.Finding.Severity == Severity.High ? 1
                : x.Finding.Severity == Severity.Medium ? 2 : x.Finding.Severity == Severity.Low ? 3 : 4)
            .ThenByDescending(x => x.Finding.FirstSeen)
            .ThenBy(x => x.Finding.Id)
            .Skip(request.Skip)
            .Take(request.Take)
            .Select(x => new
            {
                x.Finding.Id, x.Finding.VulnerabilityId, x.Finding.Kind, x.Finding.Severity, x.Finding.CvssScore, x.Finding.Package,
                x.Finding.InstalledVersion, x.Finding.FixedVersion, x.Finding.Digest, x.Repository, x.Class, x.Finding.FirstSeen,
                x.Finding.ResolvedAt, x.Finding.Sources, x.ExceptionId, x.ImageId, x.Finding.Title,
            })
            .ToListAsync(cancellationToken);

        var exceptionIds = page.Select(p => p.ExceptionId).OfType<long>().Distinct().ToList();
        var exceptions = await db.FindingExceptions.AsNoTracking()
            .Where(e => exceptionIds.Contains(e.Id))
            .ToDictionaryAsync(e => e.Id, cancellationToken);
        var rows = page
            .Select(x =>
            {
                var exception = x.ExceptionId is { } id ? exceptions[id] : null;
                return new FindingRow(x.Id, x.VulnerabilityId, x.Kind, x.Severity, x.CvssScore, x.Package, x.InstalledVersion, x.FixedVersion,
                    x.Digest, x.Repository, x.Class, x.FirstSeen, x.ResolvedAt, x.Sources, exception?.State, exception?.ExpiresAt, x.ImageId, x.Title);
            })
            .ToList();
        return (rows, counted);
    }

    /// <summary>Open findings of <paramref name="digests"/> per severity, without the excepted ones, which are counted apart.</summary>
    public async Task<SeverityCounts> CountOpenAsync(IReadOnlyList<string> digests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(digests);
        var now = clock.GetUtcNow();
        var wanted = digests.Distinct(StringComparer.Ordinal).ToList();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var open = db.Findings.AsNoTracking().Where(f => wanted.Contains(f.Digest) && f.ResolvedAt == null);
        var counted = await open.NotExceptedAt(db, now)
            .GroupBy(f => f.Severity)
            .Select(g => new { Severity = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Severity, g => g.Count, cancellationToken);
        var excepted = await open.CountAsync(cancellationToken) - counted.Values.Sum();
        return new SeverityCounts(
            counted.GetValueOrDefault(Severity.Critical), counted.GetValueOrDefault(Severity.High), counted.GetValueOrDefault(Severity.Medium),
            counted.GetValueOrDefault(Severity.Low), counted.GetValueOrDefault(Severity.Unknown), excepted);
    }

    public async Task WriteCsvAsync(FindingFilter filter, Stream output, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(output, leaveOpen: true);
        await using var csv = new CsvHelper.CsvWriter(writer, System.Globalization.CultureInfo.InvariantCulture);
        foreach (var header in new[] { "VulnerabilityId", "Kind", "Severity", "Cvss", "Package", "Installed", "Fixed", "Digest", "Repository", "Class", "FirstSeen", "Resolved", "Sources", "Exception", "ExceptedUntil" })
        {
            csv.WriteField(header);
        }

        await csv.NextRecordAsync();
        const int batch = 500;
        for (var skip = 0; ; skip += batch)
        {
            // No count: the export reads on until a batch comes back short.
            var (rows, _) = await ReadAsync(new FindingPageRequest(filter, skip, batch), null, cancellationToken);
            foreach (var row in rows)
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
                csv.WriteField(row.ExceptedUntil?.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                await csv.NextRecordAsync();
            }

            if (rows.Count < batch)
            {
                break;
            }
        }
    }

    /// <summary>The latest report received for any of <paramref name="digests"/>, or null when none was ever scanned.</summary>
    public async Task<LatestScan?> LatestScanAsync(IReadOnlyList<string> digests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(digests);
        var wanted = digests.Distinct(StringComparer.Ordinal).ToList();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.ScanRecords.AsNoTracking()
            .Where(r => wanted.Contains(r.Digest))
            .OrderByDescending(r => r.ReceivedAt).ThenByDescending(r => r.Id)
            .Select(r => new LatestScan(r.Digest, r.Format, r.Scanner, r.Source, r.ReceivedAt, r.Findings))
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>
    /// Images with the vulnerability open (one entry per image, with its vulnerable packages and the exceptions that
    /// cover them), the present workloads running them, and their owners.
    /// </summary>
    public async Task<ImpactedArtifacts> ImpactedAsync(string vulnerabilityId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(vulnerabilityId);
        var now = clock.GetUtcNow();
        var id = vulnerabilityId.Trim();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var open = await db.Findings.AsNoTracking()
            .Where(f => f.VulnerabilityId == id && f.ResolvedAt == null)
            .Select(f => new { f.Digest, f.Package, f.InstalledVersion, f.FixedVersion, f.Severity })
            .ToListAsync(cancellationToken);
        var digests = open.Select(f => f.Digest).Distinct().ToList();
        // Looked up per image below: a common vulnerability has thousands of findings on as many images.
        var openByDigest = open.ToLookup(f => f.Digest, StringComparer.Ordinal);
        var images = await (
                from image in db.Images.AsNoTracking()
                join repository in db.Repositories on image.RepositoryId equals repository.Id
                join registry in db.Registries on repository.RegistryId equals registry.Id
                where digests.Contains(image.Digest)
                select new { image.Id, image.Digest, image.ParentId, image.Class, Repository = repository.Name, registry.Url })
            .ToListAsync(cancellationToken);
        var imageIds = images.Select(i => i.Id).ToList();
        // A platform image is pulled through its index's tags.
        var taggedIds = images.Select(i => i.ParentId ?? i.Id).Distinct().ToList();
        var tags = (await db.Tags.AsNoTracking()
                .Where(t => taggedIds.Contains(t.ImageId) && t.GoneAt == null)
                .Select(t => new { t.ImageId, t.Name })
                .ToListAsync(cancellationToken))
            .ToLookup(t => t.ImageId, t => t.Name);
        var exceptions = await db.FindingExceptions.AsNoTracking()
            .Where(e => e.VulnerabilityId == id && e.RevokedAt == null && e.ExpiresAt > now)
            .ToListAsync(cancellationToken);

        IReadOnlyList<ImpactedPackage> PackagesOf(string digest, string? repository) => openByDigest[digest]
            .Select(f =>
            {
                // A repository scope only covers a digest the inventory places in that repository.
                var covering = exceptions
                    .Where(e => (e.Repository == null || e.Repository == repository) && (e.Digest == null || e.Digest == digest)
                        && (e.Package == null || e.Package == f.Package))
                    .OrderByDescending(e => e.ExpiresAt).ThenBy(e => e.Id)
                    .FirstOrDefault();
                return new ImpactedPackage(f.Package, f.InstalledVersion, f.FixedVersion, f.Severity, covering?.State, covering?.ExpiresAt);
            })
            .OrderBy(p => FindingQueries.Rank(p.Severity)).ThenBy(p => p.Package, StringComparer.Ordinal)
            .ToList();

        var inventoried = images.Select(i => i.Digest).ToHashSet(StringComparer.Ordinal);
        var impactedImages = images
            .Select(i =>
            {
                var host = ImageRegistry.ReferenceHostOf(i.Url);
                var imageTags = tags[i.ParentId ?? i.Id].Order(StringComparer.Ordinal).ToList();
                return new ImpactedImage(
                    i.ParentId ?? i.Id,
                    $"{host}/{i.Repository}@{i.Digest}",
                    i.Digest,
                    i.Repository,
                    imageTags,
                    imageTags.Select(t => $"{host}/{i.Repository}:{t}").ToList(),
                    i.Class,
                    PackagesOf(i.Digest, i.Repository));
            })
            // Reported digests the inventory does not hold are still impacted: named by their digest alone.
            .Concat(digests
                .Where(d => !inventoried.Contains(d))
                .Select(d => new ImpactedImage(null, d, d, null, [], [], null, PackagesOf(d, null))))
            .OrderBy(i => i.Repository is null).ThenBy(i => i.Reference, StringComparer.Ordinal)
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
        return new ImpactedArtifacts(id, impactedImages, impactedWorkloads, owners, await SummarizeAsync(db, id, cancellationToken));
    }

    /// <summary>The worst severity and score any open finding of the id has (any finding when none is open), with a title and link.</summary>
    private static async Task<VulnerabilitySummary?> SummarizeAsync(PortalDbContext db, string id, CancellationToken cancellationToken)
    {
        var findings = db.Findings.AsNoTracking().Where(f => f.VulnerabilityId == id);
        var counts = await findings
            .GroupBy(f => f.ResolvedAt == null)
            .Select(g => new { Open = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var openCount = counts.Where(c => c.Open).Sum(c => c.Count);
        var resolvedCount = counts.Where(c => !c.Open).Sum(c => c.Count);
        if (openCount + resolvedCount == 0)
        {
            return null;
        }

        // One row per severity (and the best-described finding of each): a bounded read however many images share the id.
        var relevant = openCount > 0 ? findings.Where(f => f.ResolvedAt == null) : findings;
        var details = await relevant
            .GroupBy(f => new { f.Severity, f.Kind })
            .Select(g => new
            {
                g.Key.Severity,
                g.Key.Kind,
                Cvss = g.Max(f => f.CvssScore),
                Title = g.Where(f => f.Title != null).Select(f => f.Title).Min(),
                Url = g.Where(f => f.PrimaryUrl != null).Select(f => f.PrimaryUrl).Min(),
            })
            .ToListAsync(cancellationToken);
        // The worst findings' words first: they are what the page is about.
        details = details.OrderBy(d => FindingQueries.Rank(d.Severity)).ThenBy(d => d.Kind).ToList();
        var worst = details[0];
        return new VulnerabilitySummary(
            worst.Severity,
            details.Max(d => d.Cvss),
            details.Select(d => d.Title).FirstOrDefault(t => t is not null),
            details.Select(d => d.Url).FirstOrDefault(u => u is not null),
            worst.Kind,
            openCount,
            resolvedCount);
    }
}
