using System.Globalization;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Inventory;
using Portal.Data;
using Portal.Features.Audit;

namespace Portal.Features.Inventory;

public enum ImageSortField
{
    Created,
    Repository,
    Size,
    Class,
}

public sealed record ImageFilter(string? Search = null, ImageClass? Class = null, Channel? Channel = null, int? RegistryId = null);

public sealed record ImagePageRequest(ImageFilter Filter, int Skip = 0, int Take = 50, ImageSortField SortBy = ImageSortField.Created, bool Descending = true);

public sealed record ImageRow(
    long Id, string Registry, string Repository, IReadOnlyList<string> Tags, string Digest, ImageKind Kind, int Platforms,
    ImageClass Class, string? Track, Channel Channel, DateTimeOffset? Created, long Size)
{
    public string ShortDigest => Digest.Length > 19 ? Digest[..19] : Digest;
}

public sealed record ImagePage(IReadOnlyList<ImageRow> Items, int TotalCount);

public sealed record TagView(string Name, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, DateTimeOffset? GoneAt);

public sealed record PlatformView(long Id, string Digest, string? Platform, DateTimeOffset? Created, long Size, IReadOnlyList<ImageLayer> Layers);

public sealed record ImageDetail(
    long Id, int RegistryId, string Registry, string RegistryUrl, int RepositoryId, string Repository, string Digest, string MediaType,
    ImageKind Kind, string? Platform, DateTimeOffset? Created, long Size, IReadOnlyDictionary<string, string> Labels,
    IReadOnlyList<ImageLayer> Layers, IReadOnlyList<TagView> Tags, IReadOnlyList<PlatformView> Platforms,
    ImageClass Class, string? Track, Channel Channel, string? ClassifiedBy, ImageClass? ClassOverride, string? TrackOverride,
    DateTimeOffset FirstSeen, DateTimeOffset LastSeen, DateTimeOffset? GoneAt);

public sealed record ClassCount(ImageClass Class, int Count);

/// <summary>Reads the inventory for the Images pages, the API and the dashboard; always a page at a time on the server.</summary>
public sealed class ImageCatalog(
    IDbContextFactory<PortalDbContext> contexts,
    ImageClassification classification,
    AuditLog audit)
{
    public const int MaxPageSize = 500;

    public async Task<ImagePage> SearchAsync(ImagePageRequest request, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(request.Skip);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.Take, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(request.Take, MaxPageSize);

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = Filter(db, request.Filter);
        var total = await query.CountAsync(cancellationToken);
        var page = await Sort(query, request.SortBy, request.Descending)
            .Skip(request.Skip)
            .Take(request.Take)
            .Select(x => new
            {
                x.Image.Id, Registry = x.Registry.Name, Repository = x.Repository.Name, x.Image.Digest, x.Image.Kind,
                Platforms = db.Images.Count(c => c.ParentId == x.Image.Id),
                x.Image.Class, x.Image.Track, x.Image.Channel, x.Image.Created, x.Image.TotalSize,
            })
            .ToListAsync(cancellationToken);

        var ids = page.Select(p => p.Id).ToList();
        var tags = (await db.Tags.AsNoTracking()
                .Where(t => ids.Contains(t.ImageId) && t.GoneAt == null)
                .Select(t => new { t.ImageId, t.Name })
                .ToListAsync(cancellationToken))
            .ToLookup(t => t.ImageId, t => t.Name);
        var rows = page.Select(p => new ImageRow(p.Id, p.Registry, p.Repository, tags[p.Id].Order(StringComparer.Ordinal).ToList(),
            p.Digest, p.Kind, p.Platforms, p.Class, p.Track, p.Channel, p.Created, p.TotalSize)).ToList();
        return new ImagePage(rows, total);
    }

    public async Task WriteCsvAsync(ImageFilter filter, Stream output, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(output, leaveOpen: true);
        await using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
        foreach (var header in new[] { "Registry", "Repository", "Tags", "Digest", "Kind", "Class", "Track", "Channel", "Created", "SizeBytes" })
        {
            csv.WriteField(header);
        }

        await csv.NextRecordAsync();
        const int batch = 500;
        for (var skip = 0; ; skip += batch)
        {
            var page = await SearchAsync(new ImagePageRequest(filter, skip, batch, ImageSortField.Repository, Descending: false), cancellationToken);
            foreach (var row in page.Items)
            {
                csv.WriteField(AuditSearch.CsvSafe(row.Registry));
                csv.WriteField(AuditSearch.CsvSafe(row.Repository));
                csv.WriteField(AuditSearch.CsvSafe(string.Join(' ', row.Tags)));
                csv.WriteField(row.Digest);
                csv.WriteField(row.Kind.ToString());
                csv.WriteField(row.Class.ToString());
                csv.WriteField(AuditSearch.CsvSafe(row.Track));
                csv.WriteField(row.Channel.ToString());
                csv.WriteField(row.Created?.ToString("O", CultureInfo.InvariantCulture));
                csv.WriteField(row.Size);
                await csv.NextRecordAsync();
            }

            if (page.Items.Count < batch)
            {
                break;
            }
        }
    }

    public async Task<ImageDetail?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var found = await (
                from i in db.Images.AsNoTracking()
                join r in db.Repositories on i.RepositoryId equals r.Id
                join g in db.Registries on r.RegistryId equals g.Id
                where i.Id == id
                select new { Image = i, Repository = r, Registry = g })
            .SingleOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return null;
        }

        var (image, repo, reg) = (found.Image, found.Repository, found.Registry);
        var tags = await db.Tags.AsNoTracking().Where(t => t.ImageId == id).OrderBy(t => t.Name)
            .Select(t => new TagView(t.Name, t.FirstSeen, t.LastSeen, t.GoneAt)).ToListAsync(cancellationToken);
        var children = await db.Images.AsNoTracking().Where(c => c.ParentId == id).OrderBy(c => c.Platform).ToListAsync(cancellationToken);
        return new ImageDetail(image.Id, reg.Id, reg.Name, reg.Url, repo.Id, repo.Name, image.Digest, image.MediaType, image.Kind, image.Platform,
            image.Created, image.TotalSize, image.Labels, image.Layers, tags,
            children.Select(c => new PlatformView(c.Id, c.Digest, c.Platform, c.Created, c.TotalSize, c.Layers)).ToList(),
            image.Class, image.Track, image.Channel, image.ClassifiedBy, repo.ClassOverride, repo.TrackOverride,
            image.FirstSeen, image.LastSeen, image.GoneAt);
    }

    public async Task<IReadOnlyList<ClassCount>> CountByClassAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var counts = await db.Images.AsNoTracking()
            .Where(i => i.GoneAt == null && i.ParentId == null)
            .GroupBy(i => i.Class)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        return Enum.GetValues<ImageClass>().Select(c => new ClassCount(c, counts.FirstOrDefault(x => x.Key == c)?.Count ?? 0)).ToList();
    }

    /// <summary>Sets or clears an admin's class and track for a whole repository, audited, and reclassifies.</summary>
    public async Task<bool> OverrideRepositoryAsync(int repositoryId, ImageClass? imageClass, string? track, string actor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var repository = await db.Repositories.SingleOrDefaultAsync(r => r.Id == repositoryId, cancellationToken);
        if (repository is null)
        {
            return false;
        }

        var before = $"{repository.ClassOverride?.ToString() ?? "rules"} / {repository.TrackOverride ?? "rules"}";
        repository.Override(imageClass, track);
        await db.SaveChangesAsync(cancellationToken);
        await classification.ClassifyAsync(db, repository.RegistryId, cancellationToken);
        await audit.RecordAsync(AuditActorKind.Person, actor, "repository.class-overridden", repository.Name, before,
            $"{repository.ClassOverride?.ToString() ?? "rules"} / {repository.TrackOverride ?? "rules"}", cancellationToken);
        return true;
    }

    private static IQueryable<Joined> Filter(PortalDbContext db, ImageFilter filter)
    {
        var query =
            from image in db.Images.AsNoTracking()
            join repository in db.Repositories on image.RepositoryId equals repository.Id
            join registry in db.Registries on repository.RegistryId equals registry.Id
            where image.GoneAt == null && image.ParentId == null
            select new Joined { Image = image, Repository = repository, Registry = registry };

        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            var search = filter.Search.Trim().ToLowerInvariant();
            query = query.Where(x => x.Repository.Name.Contains(search)
                || db.Tags.Any(t => t.ImageId == x.Image.Id && t.GoneAt == null && t.Name.Contains(search))
                || x.Image.Digest.Contains(search));
        }

        if (filter.Class is { } imageClass)
        {
            query = query.Where(x => x.Image.Class == imageClass);
        }

        if (filter.Channel is { } channel)
        {
            query = query.Where(x => x.Image.Channel == channel);
        }

        if (filter.RegistryId is { } registryId)
        {
            query = query.Where(x => x.Registry.Id == registryId);
        }

        return query;
    }

    private static IQueryable<Joined> Sort(IQueryable<Joined> query, ImageSortField field, bool descending) => (field, descending) switch
    {
        (ImageSortField.Repository, false) => query.OrderBy(x => x.Repository.Name).ThenByDescending(x => x.Image.Created).ThenBy(x => x.Image.Id),
        (ImageSortField.Repository, true) => query.OrderByDescending(x => x.Repository.Name).ThenByDescending(x => x.Image.Created).ThenBy(x => x.Image.Id),
        (ImageSortField.Size, false) => query.OrderBy(x => x.Image.TotalSize).ThenBy(x => x.Image.Id),
        (ImageSortField.Size, true) => query.OrderByDescending(x => x.Image.TotalSize).ThenBy(x => x.Image.Id),
        (ImageSortField.Class, false) => query.OrderBy(x => x.Image.Class).ThenBy(x => x.Repository.Name).ThenBy(x => x.Image.Id),
        (ImageSortField.Class, true) => query.OrderByDescending(x => x.Image.Class).ThenBy(x => x.Repository.Name).ThenBy(x => x.Image.Id),
        (_, false) => query.OrderBy(x => x.Image.Created).ThenBy(x => x.Image.Id),
        _ => query.OrderByDescending(x => x.Image.Created).ThenByDescending(x => x.Image.Id),
    };

    private sealed class Joined
    {
        public required ImageManifest Image { get; init; }
        public required ImageRepository Repository { get; init; }
        public required ImageRegistry Registry { get; init; }
    }
}
