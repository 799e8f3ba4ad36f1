using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Inventory;
using Portal.Core.Jobs;
using Portal.Core.Registry;
using Portal.Data;
using Portal.Features.Workloads;

namespace Portal.Features.Inventory;

public enum SyncMode
{
    /// <summary>A known tag whose digest (by HEAD) is unchanged costs no manifest download.</summary>
    Incremental,

    /// <summary>Every tag's manifest is downloaded again; known image content (immutable by digest) is not.</summary>
    Full,
}

/// <param name="ChangedRepositories">
/// A sync by registry events: how many repositories the events named (only those were read); null when the sync read
/// every repository.
/// </param>
public sealed record SyncSummary(
    string Registry,
    int Repositories,
    int Tags,
    int NewImages,
    int UnchangedTags,
    int ManifestDownloads,
    int GoneTags,
    int GoneRepositories,
    IReadOnlyList<string> Skipped,
    int? ChangedRepositories = null)
{
    public override string ToString() =>
        $"{Registry}: {Repositories} repositories, {Tags} tags ({UnchangedTags} unchanged by digest), {NewImages} new images, "
        + $"{ManifestDownloads} manifest downloads, {GoneTags} tags and {GoneRepositories} repositories gone"
        + (ChangedRepositories is { } changed ? $"; by registry events: {changed} changed repositories read, the others kept as they were" : "")
        + (Skipped.Count > 0 ? $", {Skipped.Count} skipped (e.g. {Skipped[0]})" : "");
}

/// <summary>
/// Reads a registry into the inventory. Everything is read first and written in one transaction at the end, so a
/// registry that fails half-way leaves the previous inventory exactly as it was. For a registry that sends its push and
/// delete events, an incremental sync reads only the repositories named by events since the last sync, as long as a
/// sync checked every tag within <see cref="InventoryOptions.VerifyEvery"/>; otherwise it checks every tag by HEAD.
/// </summary>
public sealed class InventorySync(
    IDbContextFactory<PortalDbContext> contexts,
    IRegistryClientFactory clients,
    RegistrySecrets secrets,
    ImageClassification classification,
    WorkloadImageLinker workloadImages,
    IOptions<InventoryOptions> options,
    TimeProvider clock)
{
    public async Task<SyncSummary> SyncAsync(int registryId, SyncMode mode, IJobProgress progress, CancellationToken cancellationToken)
    {
        var known = await LoadKnownAsync(registryId, cancellationToken);
        var registry = known.Registry;
        var byEvents = mode == SyncMode.Incremental && registry.CanSyncByEvents(clock.GetUtcNow(), options.Value.VerifyEvery);
        var client = clients.Create(secrets.EndpointFor(registry));
        try
        {
            var snapshot = byEvents
                ? await ReadChangedRepositoriesAsync(client, known, registry.MaxConcurrency, progress, cancellationToken)
                : await ReadRegistryAsync(client, known, mode, registry.MaxConcurrency, progress, cancellationToken);
            return await ApplyAsync(registry, snapshot, known.ChangesUpTo, cancellationToken);
        }
        finally
        {
            (client as IDisposable)?.Dispose();
        }
    }

    private static async Task<Snapshot> ReadRegistryAsync(
        IRegistryClient client, KnownInventory known, SyncMode mode, int concurrency, IJobProgress progress, CancellationToken cancellationToken)
    {
        var repositories = await client.ListRepositoriesAsync(cancellationToken);
        var snapshot = new Snapshot(repositories, changedRepositories: null);
        await ReadRepositoriesAsync(client, known, snapshot, mode, repositories, concurrency, progress, cancellationToken);
        return snapshot;
    }

    /// <summary>
    /// Reads only the repositories that registry events named since the last sync (by HEAD, as an incremental sync
    /// does); every other repository keeps the tags it had, without a request.
    /// </summary>
    private static async Task<Snapshot> ReadChangedRepositoriesAsync(
        IRegistryClient client, KnownInventory known, int concurrency, IJobProgress progress, CancellationToken cancellationToken)
    {
        var changed = known.ChangedRepositories;
        var snapshot = new Snapshot([.. known.Repositories.Union(changed, StringComparer.Ordinal)], changed.Count);
        foreach (var ((repository, tag), digest) in known.TagDigests)
        {
            if (!changed.Contains(repository))
            {
                snapshot.Tags[(repository, tag)] = digest;
                snapshot.Unchanged++;
            }
        }

        await ReadRepositoriesAsync(client, known, snapshot, SyncMode.Incremental, [.. changed.Order(StringComparer.Ordinal)], concurrency, progress,
            cancellationToken);
        return snapshot;
    }

    private static async Task ReadRepositoriesAsync(IRegistryClient client, KnownInventory known, Snapshot snapshot, SyncMode mode,
        IReadOnlyList<string> repositories, int concurrency, IJobProgress progress, CancellationToken cancellationToken)
    {
        var done = 0;
        using var progressGate = new SemaphoreSlim(1);
        await progress.ReportAsync(0, repositories.Count, cancellationToken);

        // Repositories run side by side; the client itself keeps requests to the registry within its limit.
        await Parallel.ForEachAsync(repositories, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (repository, ct) =>
            {
                var tags = await client.ListTagsAsync(repository, ct);
                await Parallel.ForEachAsync(tags, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct },
                    async (tag, tagCt) => await ReadTagAsync(client, known, snapshot, mode, repository, tag, tagCt));
                // Progress is reported by one repository at a time, in order.
                await progressGate.WaitAsync(ct);
                try
                {
                    await progress.ReportAsync(++done, repositories.Count, ct);
                }
                finally
                {
                    progressGate.Release();
                }
            });
    }

    private static async Task ReadTagAsync(
        IRegistryClient client, KnownInventory known, Snapshot snapshot, SyncMode mode, string repository, string tag, CancellationToken cancellationToken)
    {
        if (mode == SyncMode.Incremental && known.TagDigests.TryGetValue((repository, tag), out var knownDigest))
        {
            var current = await client.HeadManifestAsync(repository, tag, cancellationToken);
            if (current?.ToString() == knownDigest)
            {
                snapshot.Tags[(repository, tag)] = knownDigest;
                Interlocked.Increment(ref snapshot.Unchanged);
                return;
            }
        }

        var fetched = await client.GetManifestAsync(repository, tag, cancellationToken);
        Interlocked.Increment(ref snapshot.Downloads);
        var digest = fetched.Digest.ToString();
        if (fetched.Manifest.Kind == ManifestKind.Unsupported)
        {
            snapshot.Skipped.Add($"{repository}:{tag}: {fetched.Manifest.UnsupportedReason}");
            return;
        }

        snapshot.Tags[(repository, tag)] = digest;
        if (known.Images.ContainsKey((repository, digest)) || !snapshot.Images.TryAdd((repository, digest), null))
        {
            return;
        }

        snapshot.Images[(repository, digest)] = await ReadImageAsync(client, known, snapshot, repository, fetched, cancellationToken);
    }

    private static async Task<NewImage> ReadImageAsync(
        IRegistryClient client, KnownInventory known, Snapshot snapshot, string repository, FetchedManifest fetched, CancellationToken cancellationToken)
    {
        var manifest = fetched.Manifest;
        if (manifest.Kind == ManifestKind.Image)
        {
            return await ReadPlatformImageAsync(client, repository, fetched.Digest, manifest, platform: null, cancellationToken);
        }

        var children = new List<NewImage>();
        foreach (var child in manifest.Manifests.Where(IsRunnablePlatform))
        {
            var childDigest = child.Digest.ToString();
            if (known.Images.ContainsKey((repository, childDigest)))
            {
                continue;
            }

            var childManifest = await client.GetManifestAsync(repository, childDigest, cancellationToken);
            Interlocked.Increment(ref snapshot.Downloads);
            if (childManifest.Manifest.Kind == ManifestKind.Image)
            {
                children.Add(await ReadPlatformImageAsync(client, repository, child.Digest, childManifest.Manifest, child.Platform?.ToString(), cancellationToken));
            }
        }

        var newest = children.Where(c => c.Created is not null).MaxBy(c => c.Created);
        return new NewImage(fetched.Digest.ToString(), manifest.MediaType, ImageKind.Index, null, newest?.Created,
            children.Sum(c => c.TotalSize), newest?.Labels ?? new Dictionary<string, string>(), [], children);
    }

    private static async Task<NewImage> ReadPlatformImageAsync(
        IRegistryClient client, string repository, Digest digest, ParsedManifest manifest, string? platform, CancellationToken cancellationToken)
    {
        var config = manifest.Config is { } descriptor && IsImageConfig(descriptor.MediaType)
            ? await client.GetConfigAsync(repository, descriptor.Digest, cancellationToken)
            : null;
        platform ??= config?.Os is null ? null : new Platform(config.Os, config.Architecture ?? "unknown", config.Variant).ToString();
        var layers = manifest.Layers.Select((l, i) => new ImageLayer(i, l.Digest.ToString(), l.MediaType, l.Size)).ToList();
        return new NewImage(digest.ToString(), manifest.MediaType, ImageKind.Image, platform, config?.Created,
            manifest.TotalLayerSize + (manifest.Config?.Size ?? 0), config?.Labels ?? new Dictionary<string, string>(), layers, []);
    }

    // Build attestations and signatures ride along in indexes as "unknown/unknown" entries; they are not runnable images.
    private static bool IsRunnablePlatform(Descriptor child) =>
        child.Platform is null || !string.Equals(child.Platform.Os, "unknown", StringComparison.OrdinalIgnoreCase);

    private static bool IsImageConfig(string mediaType) =>
        mediaType is MediaTypes.OciConfig or MediaTypes.DockerConfig;

    /// <param name="changesUpTo">The newest registry event read before the registry was: it and those before it are done with.</param>
    private async Task<SyncSummary> ApplyAsync(ImageRegistry registry, Snapshot snapshot, long changesUpTo, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        var repositories = await db.Repositories.Where(r => r.RegistryId == registry.Id).ToDictionaryAsync(r => r.Name, StringComparer.Ordinal, cancellationToken);
        var present = snapshot.Repositories.ToHashSet(StringComparer.Ordinal);
        foreach (var name in present.Where(n => !repositories.ContainsKey(n)))
        {
            var repository = ImageRepository.Discover(registry.Id, name, now);
            db.Repositories.Add(repository);
            repositories[name] = repository;
        }

        var goneRepositories = 0;
        foreach (var (name, repository) in repositories)
        {
            if (present.Contains(name))
            {
                repository.Seen(now);
            }
            else if (repository.GoneAt is null)
            {
                repository.MarkGone(now);
                goneRepositories++;
            }
        }

        await db.SaveChangesAsync(cancellationToken);

        var repositoryIds = repositories.Values.Select(r => r.Id).ToList();
        // Known rows are read without tracking: unchanged ones are touched by set-based updates below, not one by one.
        var images = await db.Images.AsNoTracking().Where(i => repositoryIds.Contains(i.RepositoryId)).ToListAsync(cancellationToken);
        var imagesByKey = images.ToDictionary(i => (i.RepositoryId, i.Digest), i => new ImageEntry(i));
        var newImages = 0;
        foreach (var ((repositoryName, _), image) in snapshot.Images)
        {
            if (image is null)
            {
                continue;
            }

            var repositoryId = repositories[repositoryName].Id;
            var parent = Add(db, imagesByKey, repositoryId, image, now);
            newImages++;
            foreach (var child in image.Children)
            {
                var added = Add(db, imagesByKey, repositoryId, child, now);
                added.Parent = parent;
                newImages++;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        foreach (var pending in imagesByKey.Values.OfType<PendingImage>())
        {
            if (pending.Parent is not null)
            {
                pending.Image.AttachTo(pending.Parent.Image);
            }
        }

        var tags = await db.Tags.AsNoTracking().Where(t => repositoryIds.Contains(t.RepositoryId)).ToListAsync(cancellationToken);
        var tagsByKey = tags.ToDictionary(t => (t.RepositoryId, t.Name));
        var unchangedTagIds = new List<long>();
        var movedTags = new Dictionary<long, long>();
        var taggedImageIds = new HashSet<long>();
        foreach (var ((repositoryName, tagName), digest) in snapshot.Tags)
        {
            var repositoryId = repositories[repositoryName].Id;
            var imageId = imagesByKey[(repositoryId, digest)].Image.Id;
            taggedImageIds.Add(imageId);
            if (!tagsByKey.TryGetValue((repositoryId, tagName), out var tag))
            {
                db.Tags.Add(ImageTag.Discover(repositoryId, tagName, imageId, now));
            }
            else if (tag.ImageId == imageId && tag.GoneAt is null)
            {
                unchangedTagIds.Add(tag.Id);
            }
            else
            {
                movedTags[tag.Id] = imageId;
            }
        }

        foreach (var chunk in movedTags.Keys.Chunk(BulkChunkSize))
        {
            foreach (var tag in await db.Tags.Where(t => chunk.Contains(t.Id)).ToListAsync(cancellationToken))
            {
                tag.Seen(movedTags[tag.Id], now);
            }
        }

        var seenTags = snapshot.Tags.Keys.Select(k => (repositories[k.Repository].Id, k.Tag)).ToHashSet();
        var goneTagIds = tags.Where(t => t.GoneAt is null && !seenTags.Contains((t.RepositoryId, t.Name))).Select(t => t.Id).ToList();
        var goneTags = goneTagIds.Count;

        // An image is present while a present tag points at it, directly or as a platform of a tagged index.
        var allImages = imagesByKey.Values.Select(e => e.Image).ToList();
        var presentImageIds = allImages
            .Where(i => taggedImageIds.Contains(i.Id) || (i.ParentId is { } parentId && taggedImageIds.Contains(parentId)))
            .Select(i => i.Id)
            .ToHashSet();
        var goneImageIds = allImages.Where(i => i.GoneAt is null && !presentImageIds.Contains(i.Id)).Select(i => i.Id).ToList();

        await db.SaveChangesAsync(cancellationToken);
        foreach (var chunk in unchangedTagIds.Chunk(BulkChunkSize))
        {
            await db.Tags.Where(t => chunk.Contains(t.Id)).ExecuteUpdateAsync(u => u.SetProperty(t => t.LastSeen, now), cancellationToken);
        }

        foreach (var chunk in goneTagIds.Chunk(BulkChunkSize))
        {
            await db.Tags.Where(t => chunk.Contains(t.Id)).ExecuteUpdateAsync(u => u.SetProperty(t => t.GoneAt, now), cancellationToken);
        }

        foreach (var chunk in presentImageIds.Chunk(BulkChunkSize))
        {
            await db.Images.Where(i => chunk.Contains(i.Id))
                .ExecuteUpdateAsync(u => u.SetProperty(i => i.LastSeen, now).SetProperty(i => i.GoneAt, (DateTimeOffset?)null), cancellationToken);
        }

        foreach (var chunk in goneImageIds.Chunk(BulkChunkSize))
        {
            await db.Images.Where(i => chunk.Contains(i.Id)).ExecuteUpdateAsync(u => u.SetProperty(i => i.GoneAt, now), cancellationToken);
        }

        var tracked = await db.Registries.SingleAsync(r => r.Id == registry.Id, cancellationToken);
        tracked.MarkSynced(now, checkedEveryTag: snapshot.ChangedRepositories is null);
        await db.SaveChangesAsync(cancellationToken);
        // Events that arrived while the registry was being read stay for the next sync.
        await db.RegistryChanges.Where(c => c.RegistryId == registry.Id && c.Id <= changesUpTo).ExecuteDeleteAsync(cancellationToken);
        await classification.ClassifyAsync(db, registry.Id, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        // Workloads seen before their image was inventoried now learn which image they run.
        await workloadImages.LinkAsync(cancellationToken);

        return new SyncSummary(registry.Name, present.Count, snapshot.Tags.Count, newImages, snapshot.Unchanged, snapshot.Downloads,
            goneTags, goneRepositories, snapshot.Skipped.ToList(), snapshot.ChangedRepositories);
    }

    // Set-based updates go in slices so no statement exceeds a provider's parameter limit.
    private const int BulkChunkSize = 5_000;

    private static PendingImage Add(PortalDbContext db, Dictionary<(int, string), ImageEntry> images, int repositoryId, NewImage image, DateTimeOffset now)
    {
        if (images.TryGetValue((repositoryId, image.Digest), out var existing))
        {
            // The same platform image can sit in two indexes of one repository; store it once.
            return existing as PendingImage ?? new PendingImage(existing.Image);
        }

        var entity = ImageManifest.Discover(repositoryId, image.Digest, image.MediaType, image.Kind, image.Platform, image.Created,
            image.TotalSize, image.Labels, image.Layers, now);
        db.Images.Add(entity);
        var pending = new PendingImage(entity);
        images[(repositoryId, image.Digest)] = pending;
        return pending;
    }

    private async Task<KnownInventory> LoadKnownAsync(int registryId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var registry = await db.Registries.AsNoTracking().SingleOrDefaultAsync(r => r.Id == registryId, cancellationToken)
            ?? throw new InvalidOperationException($"Registry {registryId} does not exist.");
        var tagDigests = await (
                from tag in db.Tags
                join repository in db.Repositories on tag.RepositoryId equals repository.Id
                join image in db.Images on tag.ImageId equals image.Id
                where repository.RegistryId == registryId && tag.GoneAt == null
                select new { Repository = repository.Name, Tag = tag.Name, image.Digest })
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        var images = await (
                from image in db.Images
                join repository in db.Repositories on image.RepositoryId equals repository.Id
                where repository.RegistryId == registryId
                select new { Repository = repository.Name, image.Digest })
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        var repositories = await db.Repositories.Where(r => r.RegistryId == registryId && r.GoneAt == null).Select(r => r.Name).ToListAsync(cancellationToken);
        // Read last, so no event about what was read above is missed: a later one stays for the next sync.
        var changes = await db.RegistryChanges.Where(c => c.RegistryId == registryId)
            .GroupBy(c => c.Repository)
            .Select(g => new { Repository = g.Key, UpTo = g.Max(c => c.Id) })
            .ToListAsync(cancellationToken);
        return new KnownInventory(
            registry,
            tagDigests.ToDictionary(t => (t.Repository, t.Tag), t => t.Digest),
            images.ToDictionary(i => (i.Repository, i.Digest), _ => true),
            repositories,
            changes.Select(c => c.Repository).ToHashSet(StringComparer.Ordinal),
            changes.Count == 0 ? 0 : changes.Max(c => c.UpTo));
    }

    /// <param name="Repositories">The repositories present at the last sync.</param>
    /// <param name="ChangedRepositories">Repositories named by registry events not yet read.</param>
    /// <param name="ChangesUpTo">The newest of those events.</param>
    private sealed record KnownInventory(
        ImageRegistry Registry,
        Dictionary<(string Repository, string Tag), string> TagDigests,
        Dictionary<(string Repository, string Digest), bool> Images,
        IReadOnlyList<string> Repositories,
        IReadOnlySet<string> ChangedRepositories,
        long ChangesUpTo);

    /// <summary>What the registry holds right now, gathered before anything is written.</summary>
    /// <param name="changedRepositories">For a sync by registry events, how many repositories the events named.</param>
    private sealed class Snapshot(IReadOnlyList<string> repositories, int? changedRepositories)
    {
        public IReadOnlyList<string> Repositories { get; } = repositories;
        public int? ChangedRepositories { get; } = changedRepositories;
        public ConcurrentDictionary<(string Repository, string Tag), string> Tags { get; } = new();
        public ConcurrentDictionary<(string Repository, string Digest), NewImage?> Images { get; } = new();
        public ConcurrentBag<string> Skipped { get; } = [];
        public int Unchanged;
        public int Downloads;
    }

    private sealed record NewImage(
        string Digest, string MediaType, ImageKind Kind, string? Platform, DateTimeOffset? Created, long TotalSize,
        IReadOnlyDictionary<string, string> Labels, IReadOnlyList<ImageLayer> Layers, IReadOnlyList<NewImage> Children);

    private class ImageEntry(ImageManifest image)
    {
        public ImageManifest Image { get; } = image;
    }

    private sealed class PendingImage(ImageManifest image) : ImageEntry(image)
    {
        public PendingImage? Parent { get; set; }
    }
}
