using Microsoft.EntityFrameworkCore;
using Portal.Core.Inventory;
using Portal.Core.Registry;
using Portal.Data;

namespace Portal.Features.Workloads;

/// <summary>
/// Points each present workload's container images at the inventory image they run: by digest where the cluster
/// reported one, otherwise by the tag's current image. Runs after a workload sync and after an inventory sync, so
/// whichever comes second completes the picture.
/// </summary>
public sealed class WorkloadImageLinker(IDbContextFactory<PortalDbContext> contexts)
{
    private const int ChunkSize = 2_000;

    /// <summary>Links every cluster's workloads in a context of its own.</summary>
    public async Task<int> LinkAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await LinkAsync(db, cluster: null, cancellationToken);
    }

    /// <summary>Links the present workloads of one cluster (or all) inside the caller's context and transaction; returns how many images are linked.</summary>
    public async Task<int> LinkAsync(PortalDbContext db, string? cluster, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var uses = await (
                from use in db.WorkloadImages.AsNoTracking()
                join workload in db.Workloads on use.WorkloadId equals workload.Id
                where workload.GoneAt == null && (cluster == null || workload.Cluster == cluster)
                select new Use(use.Id, use.Registry, use.Repository, use.Tag, use.Digest, use.ImageId))
            .ToListAsync(cancellationToken);
        if (uses.Count == 0)
        {
            return 0;
        }

        var repositories = await (
                from repository in db.Repositories.AsNoTracking()
                join registry in db.Registries on repository.RegistryId equals registry.Id
                select new { repository.Id, repository.Name, registry.Url })
            .ToListAsync(cancellationToken);
        var repositoryNames = repositories.ToDictionary(r => r.Id, r => (Host: ImageRegistry.ReferenceHostOf(r.Url), r.Name));
        var repositoryIds = repositories.ToLookup(r => (ImageRegistry.ReferenceHostOf(r.Url), r.Name), r => r.Id);

        var imagesByDigest = new Dictionary<string, List<(long Id, int RepositoryId)>>(StringComparer.Ordinal);
        foreach (var chunk in uses.Where(u => u.Digest is not null).Select(u => u.Digest!).Distinct(StringComparer.Ordinal).Chunk(ChunkSize))
        {
            var images = await db.Images.AsNoTracking()
                .Where(i => chunk.Contains(i.Digest))
                .Select(i => new { i.Id, i.Digest, i.RepositoryId })
                .ToListAsync(cancellationToken);
            foreach (var image in images.OrderBy(i => i.Id))
            {
                (imagesByDigest.TryGetValue(image.Digest, out var list) ? list : imagesByDigest[image.Digest] = []).Add((image.Id, image.RepositoryId));
            }
        }

        var tagRepositoryIds = uses.Where(u => u.Digest is null && u.Tag is not null && u.Registry is not null && u.Repository is not null)
            .SelectMany(u => repositoryIds[(u.Registry!, u.Repository!)])
            .Distinct()
            .ToList();
        var tagImages = new Dictionary<(int RepositoryId, string Tag), long>();
        foreach (var chunk in tagRepositoryIds.Chunk(ChunkSize))
        {
            var tags = await db.Tags.AsNoTracking()
                .Where(t => chunk.Contains(t.RepositoryId) && t.GoneAt == null)
                .Select(t => new { t.RepositoryId, t.Name, t.ImageId })
                .ToListAsync(cancellationToken);
            foreach (var tag in tags)
            {
                tagImages[(tag.RepositoryId, tag.Name)] = tag.ImageId;
            }
        }

        var relinks = new Dictionary<long, List<long>>();
        var unlinks = new List<long>();
        var linked = 0;
        foreach (var use in uses)
        {
            var target = use.Digest is not null
                ? ByDigest(use, imagesByDigest, repositoryNames)
                : ByTag(use, repositoryIds, tagImages);
            if (target is not null)
            {
                linked++;
            }

            if (target == use.ImageId)
            {
                continue;
            }

            if (target is { } imageId)
            {
                (relinks.TryGetValue(imageId, out var ids) ? ids : relinks[imageId] = []).Add(use.Id);
            }
            else
            {
                unlinks.Add(use.Id);
            }
        }

        foreach (var (target, ids) in relinks)
        {
            foreach (var chunk in ids.Chunk(ChunkSize))
            {
                await db.WorkloadImages.Where(u => chunk.Contains(u.Id))
                    .ExecuteUpdateAsync(u => u.SetProperty(x => x.ImageId, (long?)target), cancellationToken);
            }
        }

        foreach (var chunk in unlinks.Chunk(ChunkSize))
        {
            await db.WorkloadImages.Where(u => chunk.Contains(u.Id))
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.ImageId, (long?)null), cancellationToken);
        }

        return linked;
    }

    // A digest names content, so any repository holding it runs the same bytes; the one the reference names is preferred.
    private static long? ByDigest(Use use, Dictionary<string, List<(long Id, int RepositoryId)>> images, Dictionary<int, (string Host, string Name)> repositories)
    {
        if (!images.TryGetValue(use.Digest!, out var candidates))
        {
            return null;
        }

        return candidates
            .OrderByDescending(c => repositories.TryGetValue(c.RepositoryId, out var r) && r.Name == use.Repository ? 1 : 0)
            .ThenByDescending(c => repositories.TryGetValue(c.RepositoryId, out var r) && r.Host == use.Registry ? 1 : 0)
            .Select(c => (long?)c.Id)
            .First();
    }

    private static long? ByTag(Use use, ILookup<(string, string), int> repositoryIds, Dictionary<(int, string), long> tags)
    {
        if (use.Tag is null || use.Registry is null || use.Repository is null)
        {
            return null;
        }

        foreach (var repositoryId in repositoryIds[(use.Registry, use.Repository)])
        {
            if (tags.TryGetValue((repositoryId, use.Tag), out var imageId))
            {
                return imageId;
            }
        }

        return null;
    }

    private sealed record Use(long Id, string? Registry, string? Repository, string? Tag, string? Digest, long? ImageId);
}
