namespace Portal.Core.Inventory;

/// <summary>A repository in a registry, e.g. aaw/jupyterlab-cpu. Never deleted: a repository that disappears is marked gone.</summary>
public sealed class ImageRepository
{
    public const int MaxNameLength = 255;

    private ImageRepository()
    {
        Name = string.Empty;
    }

    public int Id { get; private set; }
    public int RegistryId { get; private set; }
    public string Name { get; private set; }
    public DateTimeOffset FirstSeen { get; private set; }
    public DateTimeOffset LastSeen { get; private set; }
    public DateTimeOffset? GoneAt { get; private set; }

    /// <summary>An admin's decision for every image in this repository; wins over the rules.</summary>
    public ImageClass? ClassOverride { get; private set; }
    public string? TrackOverride { get; private set; }

    public static ImageRepository Discover(int registryId, string name, DateTimeOffset now) =>
        new() { RegistryId = registryId, Name = name, FirstSeen = now, LastSeen = now };

    public void Seen(DateTimeOffset now)
    {
        LastSeen = now;
        GoneAt = null;
    }

    public void MarkGone(DateTimeOffset now) => GoneAt ??= now;

    public void Override(ImageClass? imageClass, string? track)
    {
        ClassOverride = imageClass;
        TrackOverride = string.IsNullOrWhiteSpace(track) ? null : track.Trim();
    }
}
