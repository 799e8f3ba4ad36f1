using System.Globalization;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Inventory;
using Portal.Core.Workloads;
using Portal.Data;
using Portal.Features.Audit;

namespace Portal.Features.Workloads;

public enum WorkloadSortField
{
    Namespace,
    Name,
    Kind,
    Lifetime,
    Status,
    Started,
}

public sealed record WorkloadFilter(
    string? Search = null,
    string? Namespace = null,
    WorkloadKind? Kind = null,
    WorkloadLifetime? Lifetime = null,
    string? Status = null,
    string? Cluster = null,
    bool IncludeGone = false);

public sealed record WorkloadPageRequest(
    WorkloadFilter Filter, int Skip = 0, int Take = 50, WorkloadSortField SortBy = WorkloadSortField.Namespace, bool Descending = false);

/// <summary>Whose workloads a query may see: everyone's (admins), or only those in namespaces a person owns or contributes to.</summary>
public sealed record WorkloadScope(string? MemberEmail)
{
    public static WorkloadScope Everyone { get; } = new((string?)null);

    /// <summary>A person's scope; someone without an email sees nothing rather than everything.</summary>
    public static WorkloadScope For(string? email) => new(WorkloadSnapshotBuilder.NormalizeEmail(email) ?? "");
}

public sealed record WorkloadImageView(
    string ContainerName, ContainerType ContainerType, string Reference, string? Digest, long? ImageId,
    string? Repository, ImageClass? Class, string? Track, Channel? Channel)
{
    public string? ShortDigest => Digest is { Length: > 19 } ? Digest[..19] : Digest;
}

public sealed record WorkloadRow(
    long Id, string Cluster, string Namespace, string Name, WorkloadKind Kind, string? ControllerKind, string? ControllerName,
    WorkloadLifetime Lifetime, string Status, DateTimeOffset? StartedAt, string? Owner, string? CreatedBy,
    DateTimeOffset LastSeen, DateTimeOffset? GoneAt, IReadOnlyList<WorkloadImageView> Images);

public sealed record WorkloadPage(IReadOnlyList<WorkloadRow> Items, int TotalCount);

/// <summary>A workload that runs an image, with the namespace's owner, for "Used by" on the image.</summary>
public sealed record ImageUser(
    long WorkloadId, string Cluster, string Namespace, string Name, WorkloadKind Kind, WorkloadLifetime Lifetime, string Status,
    string ContainerName, string? Owner, string? CreatedBy, string Digest);

public sealed record ClassUsage(ImageClass Class, int Images, int Workloads);

/// <summary>Reads workloads for the Workloads and My workloads pages, the API, image detail and the dashboard; a page at a time.</summary>
public sealed class WorkloadCatalog(IDbContextFactory<PortalDbContext> contexts)
{
    public const int MaxPageSize = 500;

    public async Task<WorkloadPage> SearchAsync(WorkloadPageRequest request, WorkloadScope scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Skip);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.Take, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(request.Take, MaxPageSize);

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = Filter(db, request.Filter, scope);
        var total = await query.CountAsync(cancellationToken);
        var page = await Sort(query, request.SortBy, request.Descending)
            .Skip(request.Skip)
            .Take(request.Take)
            .Select(w => new
            {
                Workload = w,
                Owner = db.NamespaceMembers
                    .Where(m => m.Cluster == w.Cluster && m.Namespace == w.Namespace && m.Role == NamespaceRole.Owner)
                    .Select(m => m.Email)
                    .FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);

        var images = await ImagesOfAsync(db, page.Select(p => p.Workload.Id).ToList(), cancellationToken);
        var rows = page.Select(p => new WorkloadRow(
            p.Workload.Id, p.Workload.Cluster, p.Workload.Namespace, p.Workload.Name, p.Workload.Kind, p.Workload.ControllerKind,
            p.Workload.ControllerName, p.Workload.Lifetime, p.Workload.Status, p.Workload.StartedAt, p.Owner, p.Workload.CreatedBy,
            p.Workload.LastSeen, p.Workload.GoneAt, images[p.Workload.Id].ToList())).ToList();
        return new WorkloadPage(rows, total);
    }

    /// <summary>The namespaces a person may see, for the My workloads page's filter.</summary>
    public async Task<IReadOnlyList<string>> NamespacesAsync(WorkloadScope scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = scope.MemberEmail is null
            ? db.Workloads.Where(w => w.GoneAt == null).Select(w => w.Namespace)
            : db.NamespaceMembers.Where(m => m.Email == scope.MemberEmail).Select(m => m.Namespace);
        return await query.Distinct().OrderBy(n => n).ToListAsync(cancellationToken);
    }

    public async Task WriteCsvAsync(WorkloadFilter filter, WorkloadScope scope, Stream output, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(output, leaveOpen: true);
        await using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
        foreach (var header in new[] { "Cluster", "Namespace", "Name", "Kind", "Controller", "Lifetime", "Status", "Started", "Owner", "Images", "Digests", "Gone" })
        {
            csv.WriteField(header);
        }

        await csv.NextRecordAsync();
        const int batch = 500;
        for (var skip = 0; ; skip += batch)
        {
            var page = await SearchAsync(new WorkloadPageRequest(filter, skip, batch), scope, cancellationToken);
            foreach (var row in page.Items)
            {
                csv.WriteField(AuditSearch.CsvSafe(row.Cluster));
                csv.WriteField(AuditSearch.CsvSafe(row.Namespace));
                csv.WriteField(AuditSearch.CsvSafe(row.Name));
                csv.WriteField(row.Kind.ToString());
                csv.WriteField(AuditSearch.CsvSafe(row.ControllerKind is null ? "" : $"{row.ControllerKind}/{row.ControllerName}"));
                csv.WriteField(row.Lifetime.ToString());
                csv.WriteField(row.Status);
                csv.WriteField(row.StartedAt?.ToString("O", CultureInfo.InvariantCulture));
                csv.WriteField(AuditSearch.CsvSafe(row.Owner));
                csv.WriteField(AuditSearch.CsvSafe(string.Join(' ', row.Images.Select(i => i.Reference))));
                csv.WriteField(string.Join(' ', row.Images.Select(i => i.Digest ?? "-")));
                csv.WriteField(row.GoneAt?.ToString("O", CultureInfo.InvariantCulture));
                await csv.NextRecordAsync();
            }

            if (page.Items.Count < batch)
            {
                break;
            }
        }
    }

    /// <summary>Present workloads running an image or, for an index, any of its platform images.</summary>
    public async Task<IReadOnlyList<ImageUser>> UsersOfImageAsync(long imageId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var users = await (
                from use in db.WorkloadImages.AsNoTracking()
                join workload in db.Workloads on use.WorkloadId equals workload.Id
                join image in db.Images on use.ImageId equals image.Id
                where workload.GoneAt == null && (image.Id == imageId || image.ParentId == imageId)
                orderby workload.Namespace, workload.Name, use.ContainerName
                select new ImageUser(
                    workload.Id, workload.Cluster, workload.Namespace, workload.Name, workload.Kind, workload.Lifetime, workload.Status,
                    use.ContainerName,
                    db.NamespaceMembers
                        .Where(m => m.Cluster == workload.Cluster && m.Namespace == workload.Namespace && m.Role == NamespaceRole.Owner)
                        .Select(m => m.Email)
                        .FirstOrDefault(),
                    workload.CreatedBy,
                    image.Digest))
            .Take(1_000)
            .ToListAsync(cancellationToken);
        return users;
    }

    /// <summary>Inventory images that present workloads run, by class (a platform image counts for its index's class).</summary>
    public async Task<IReadOnlyList<ClassUsage>> InUseByClassAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var uses = await (
                from use in db.WorkloadImages.AsNoTracking()
                join workload in db.Workloads on use.WorkloadId equals workload.Id
                join image in db.Images on use.ImageId equals image.Id
                where workload.GoneAt == null
                select new { ImageId = image.ParentId ?? image.Id, image.Class, use.WorkloadId })
            .Distinct()
            .ToListAsync(cancellationToken);
        return Enum.GetValues<ImageClass>()
            .Select(c => new ClassUsage(
                c,
                uses.Where(u => u.Class == c).Select(u => u.ImageId).Distinct().Count(),
                uses.Where(u => u.Class == c).Select(u => u.WorkloadId).Distinct().Count()))
            .ToList();
    }

    private static async Task<ILookup<long, WorkloadImageView>> ImagesOfAsync(PortalDbContext db, List<long> workloadIds, CancellationToken cancellationToken)
    {
        var images = await (
                from use in db.WorkloadImages.AsNoTracking()
                where workloadIds.Contains(use.WorkloadId)
                join image in db.Images on use.ImageId equals image.Id into linked
                from image in linked.DefaultIfEmpty()
                join repository in db.Repositories on image.RepositoryId equals repository.Id into repositories
                from repository in repositories.DefaultIfEmpty()
                orderby use.Id
                select new
                {
                    use.WorkloadId,
                    View = new WorkloadImageView(
                        use.ContainerName, use.ContainerType, use.Reference, use.Digest, use.ImageId,
                        repository == null ? null : repository.Name,
                        image == null ? null : image.Class,
                        image == null ? null : image.Track,
                        image == null ? null : image.Channel),
                })
            .ToListAsync(cancellationToken);
        return images.ToLookup(i => i.WorkloadId, i => i.View);
    }

    private static IQueryable<Workload> Filter(PortalDbContext db, WorkloadFilter filter, WorkloadScope scope)
    {
        var query = db.Workloads.AsNoTracking();
        if (scope.MemberEmail is { } email)
        {
            // Scoped on the server: a person only ever gets rows from namespaces they own or contribute to.
            query = query.Where(w => db.NamespaceMembers.Any(m => m.Email == email && m.Cluster == w.Cluster && m.Namespace == w.Namespace));
        }

        if (!filter.IncludeGone)
        {
            query = query.Where(w => w.GoneAt == null);
        }

        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            var search = filter.Search.Trim().ToLowerInvariant();
            query = query.Where(w => w.Name.Contains(search)
                || w.Namespace.Contains(search)
                || db.WorkloadImages.Any(i => i.WorkloadId == w.Id && i.Reference.Contains(search))
                || db.NamespaceMembers.Any(m => m.Cluster == w.Cluster && m.Namespace == w.Namespace && m.Email.Contains(search)));
        }

        if (!string.IsNullOrWhiteSpace(filter.Namespace))
        {
            query = query.Where(w => w.Namespace == filter.Namespace);
        }

        if (!string.IsNullOrWhiteSpace(filter.Cluster))
        {
            query = query.Where(w => w.Cluster == filter.Cluster);
        }

        if (filter.Kind is { } kind)
        {
            query = query.Where(w => w.Kind == kind);
        }

        if (filter.Lifetime is { } lifetime)
        {
            query = query.Where(w => w.Lifetime == lifetime);
        }

        if (!string.IsNullOrWhiteSpace(filter.Status))
        {
            query = query.Where(w => w.Status == filter.Status);
        }

        return query;
    }

    private static IQueryable<Workload> Sort(IQueryable<Workload> query, WorkloadSortField field, bool descending) => (field, descending) switch
    {
        (WorkloadSortField.Name, false) => query.OrderBy(w => w.Name).ThenBy(w => w.Namespace).ThenBy(w => w.Id),
        (WorkloadSortField.Name, true) => query.OrderByDescending(w => w.Name).ThenBy(w => w.Namespace).ThenBy(w => w.Id),
        (WorkloadSortField.Kind, false) => query.OrderBy(w => w.Kind).ThenBy(w => w.Namespace).ThenBy(w => w.Name).ThenBy(w => w.Id),
        (WorkloadSortField.Kind, true) => query.OrderByDescending(w => w.Kind).ThenBy(w => w.Namespace).ThenBy(w => w.Name).ThenBy(w => w.Id),
        (WorkloadSortField.Lifetime, false) => query.OrderBy(w => w.Lifetime).ThenBy(w => w.Namespace).ThenBy(w => w.Name).ThenBy(w => w.Id),
        (WorkloadSortField.Lifetime, true) => query.OrderByDescending(w => w.Lifetime).ThenBy(w => w.Namespace).ThenBy(w => w.Name).ThenBy(w => w.Id),
        (WorkloadSortField.Status, false) => query.OrderBy(w => w.Status).ThenBy(w => w.Namespace).ThenBy(w => w.Name).ThenBy(w => w.Id),
        (WorkloadSortField.Status, true) => query.OrderByDescending(w => w.Status).ThenBy(w => w.Namespace).ThenBy(w => w.Name).ThenBy(w => w.Id),
        (WorkloadSortField.Started, false) => query.OrderBy(w => w.StartedAt).ThenBy(w => w.Id),
        (WorkloadSortField.Started, true) => query.OrderByDescending(w => w.StartedAt).ThenByDescending(w => w.Id),
        (_, false) => query.OrderBy(w => w.Namespace).ThenBy(w => w.Name).ThenBy(w => w.Id),
        _ => query.OrderByDescending(w => w.Namespace).ThenByDescending(w => w.Name).ThenBy(w => w.Id),
    };
}
