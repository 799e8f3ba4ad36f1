namespace Portal.Core.Inventory;

public enum ImageKind
{
    /// <summary>A single-platform image manifest.</summary>
    Image,

    /// <summary>A multi-platform index (OCI index or Docker manifest list); its platform images are its children.</summary>
    Index,
}

/// <summary>
/// An image as a manifest digest within a repository: a single-platform image, or an index with its platform
/// children. Immutable content, so only sightings and classification change after discovery.
/// </summary>
public sealed class ImageManifest
{
    private ImageManifest()
    {
        Digest = string.Empty;
        MediaType = string.Empty;
        Labels = new Dictionary<string, string>();
        Layers = [];
    }

    public long Id { get; private set; }
    public int RepositoryId { get; private set; }
    public string Digest { get; private set; }
    public string MediaType { get; private set; }
    public ImageKind Kind { get; private set; }

    /// <summary>For a platform image inside an index, the index; null for what tags point at.</summary>
    public long? ParentId { get; private set; }
    public string? Platform { get; private set; }
    public DateTimeOffset? Created { get; private set; }
    public long TotalSize { get; private set; }
    public IReadOnlyDictionary<string, string> Labels { get; private set; }
    public List<ImageLayer> Layers { get; private set; }
    public DateTimeOffset FirstSeen { get; private set; }
    public DateTimeOffset LastSeen { get; private set; }
    public DateTimeOffset? GoneAt { get; private set; }

    public ImageClass Class { get; private set; }
    public string? Track { get; private set; }
    public Channel Channel { get; private set; }

    /// <summary>What decided the class: "rule: NAME", "override", or "no rule matched".</summary>
    public string? ClassifiedBy { get; private set; }
    public int? ClassifiedByRuleId { get; private set; }

    public static ImageManifest Discover(
        int repositoryId, string digest, string mediaType, ImageKind kind, string? platform, DateTimeOffset? created,
        long totalSize, IReadOnlyDictionary<string, string> labels, IEnumerable<ImageLayer> layers, DateTimeOffset now) =>
        new()
        {
            RepositoryId = repositoryId,
            Digest = digest,
            MediaType = mediaType,
            Kind = kind,
            Platform = platform,
            Created = created,
            TotalSize = totalSize,
            Labels = labels,
            Layers = layers.ToList(),
            FirstSeen = now,
            LastSeen = now,
        };

    public void AttachTo(ImageManifest index) => ParentId = index.Id;

    public void Seen(DateTimeOffset now)
    {
        LastSeen = now;
        GoneAt = null;
    }

    public void MarkGone(DateTimeOffset now) => GoneAt ??= now;

    public void Classify(Classification classification)
    {
        Class = classification.Class;
        Track = classification.Track;
        Channel = classification.Channel;
        ClassifiedBy = classification.Reason;
        ClassifiedByRuleId = classification.RuleId;
    }
}

/// <summary>One layer of a single-platform image, in order.</summary>
public sealed record ImageLayer(int Position, string Digest, string MediaType, long Size);
