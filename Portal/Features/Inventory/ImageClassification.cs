using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Inventory;
using Portal.Data;

namespace Portal.Features.Inventory;

/// <summary>Applies the classification rules and repository overrides to the stored images.</summary>
public sealed class ImageClassification(IDbContextFactory<PortalDbContext> contexts, IOptions<InventoryOptions> options)
{
    /// <summary>Reclassifies every image, e.g. after a rule or an override changed.</summary>
    public async Task ClassifyAllAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await ClassifyAsync(db, registryId: null, cancellationToken);
    }

    /// <summary>Classifies the images of one registry (or all) inside the caller's unit of work and saves.</summary>
    public async Task ClassifyAsync(PortalDbContext db, int? registryId, CancellationToken cancellationToken)
    {
        var classifier = new ImageClassifier(await db.ClassificationRules.AsNoTracking().ToListAsync(cancellationToken),
            options.Value.ToChannelSettings());
        var repositories = await db.Repositories
            .Where(r => registryId == null || r.RegistryId == registryId)
            .ToDictionaryAsync(r => r.Id, cancellationToken);
        var repositoryIds = repositories.Keys.ToList();
        var images = await db.Images.Where(i => repositoryIds.Contains(i.RepositoryId)).ToListAsync(cancellationToken);
        var tagNames = (await db.Tags.AsNoTracking()
                .Where(t => repositoryIds.Contains(t.RepositoryId) && t.GoneAt == null)
                .Select(t => new { t.ImageId, t.Name })
                .ToListAsync(cancellationToken))
            .ToLookup(t => t.ImageId, t => t.Name);
        var byId = images.ToDictionary(i => i.Id);

        foreach (var image in images)
        {
            var repository = repositories[image.RepositoryId];
            // A platform image inside an index is classified with its index's tags and labels.
            var tagged = image.ParentId is { } parent && byId.TryGetValue(parent, out var index) ? index : image;
            image.Classify(classifier.Classify(new ImageFacts(
                repository.RegistryId, repository.Name, tagNames[tagged.Id].ToList(), tagged.Labels,
                repository.ClassOverride, repository.TrackOverride)));
        }

        await db.SaveChangesAsync(cancellationToken);
    }
}
