namespace Portal.Core.Inventory;

/// <summary>A tag name pointing at an image digest. Moving or disappearing tags keep their row (gone, with times).</summary>
public sealed class ImageTag
{
    public const int MaxNameLength = 128;

    private ImageTag()
    {
        Name = string.Empty;
    }

    public long Id { get; private set; }
    public int RepositoryId { get; private set; }
    public string Name { get; private set; }
    public long ImageId { get; private set; }
    public DateTimeOffset FirstSeen { get; private set; }
    public DateTimeOffset LastSeen { get; private set; }

    /// <summary>When the tag last started pointing at its current image.</summary>
    public DateTimeOffset PointedAt { get; private set; }
    public DateTimeOffset? GoneAt { get; private set; }

    public static ImageTag Discover(int repositoryId, string name, long imageId, DateTimeOffset now) =>
        new() { RepositoryId = repositoryId, Name = name, ImageId = imageId, FirstSeen = now, LastSeen = now, PointedAt = now };

    public void Seen(long imageId, DateTimeOffset now)
    {
        if (imageId != ImageId)
        {
            ImageId = imageId;
            PointedAt = now;
        }

        LastSeen = now;
        GoneAt = null;
    }

    public void MarkGone(DateTimeOffset now) => GoneAt ??= now;
}
