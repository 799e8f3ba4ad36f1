using Portal.Core.Inventory;

namespace Portal.Benchmarks;

/// <summary>What the seeded estates share: how an image's class follows from its repository.</summary>
internal static class SeededImages
{
    /// <summary>Classes by repository: 10% unclassified, 20% curated, 30% platform, 40% user; curated and platform ones on a track.</summary>
    public static Classification ByRepository(int repositoryIndex, bool dev)
    {
        var imageClass = (repositoryIndex % 10) switch
        {
            0 => ImageClass.Unclassified,
            1 or 2 => ImageClass.Curated,
            3 or 4 or 5 => ImageClass.Platform,
            _ => ImageClass.User,
        };
        var track = imageClass is ImageClass.Curated or ImageClass.Platform ? $"track-{repositoryIndex % 12}" : null;
        return new Classification(imageClass, track, dev ? Channel.Dev : Channel.Prod,
            imageClass == ImageClass.Unclassified ? "no rule matched" : $"rule: {imageClass} images", null);
    }
}
