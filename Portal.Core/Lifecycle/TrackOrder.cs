using Portal.Core.Inventory;
using Semver;

namespace Portal.Core.Lifecycle;

/// <summary>Why a candidate replaces an image: which rule ordered them.</summary>
public sealed record ReplacementCandidate(LifecycleImage Image, string Why);

/// <summary>
/// Images within a track in order, and the candidate replacement for an image: the newest Prod-channel image on the
/// same track, with no blocking findings after exceptions, newer than the image itself. Newer means a higher version
/// with the same compatibility marker when both images' tags read as versions (<see cref="TagVersion"/>; pre-releases
/// are never proposed), and a later build time otherwise. A Dev-channel image is never proposed.
/// </summary>
public static class TrackOrder
{
    /// <summary>The images of one track, oldest first: by version where every image has one with the same marker, else by build time.</summary>
    public static IReadOnlyList<LifecycleImage> Order(IReadOnlyList<LifecycleImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var versions = images.Select(i => TagVersion.HighestOf(i.Tags.Select(t => t.Name))).ToList();
        var comparable = versions.All(v => v is not null) && versions.Select(v => v!.Marker).Distinct().Count() == 1;
        return comparable
            ? [.. images.Zip(versions).OrderBy(x => x.Second!.Version, SemVersion.PrecedenceComparer).ThenBy(x => x.First.Age).Select(x => x.First)]
            : [.. images.OrderBy(i => i.Age).ThenBy(i => i.Id)];
    }

    /// <param name="from">The image to replace.</param>
    /// <param name="images">Every present image (of any track; only <paramref name="from"/>'s track counts).</param>
    /// <param name="isBlocked">Whether an image has blocking findings after exceptions.</param>
    public static ReplacementCandidate? CandidateFor(LifecycleImage from, IEnumerable<LifecycleImage> images, Func<LifecycleImage, bool> isBlocked)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(isBlocked);
        if (string.IsNullOrEmpty(from.Track))
        {
            return null;
        }

        var eligible = images
            .Where(i => i.Id != from.Id && i.Channel == Channel.Prod && string.Equals(i.Track, from.Track, StringComparison.Ordinal) && !isBlocked(i))
            .ToList();
        var fromVersion = TagVersion.HighestOf(from.Tags.Select(t => t.Name));
        if (fromVersion is not null)
        {
            var byVersion = eligible
                .Select(i => (Image: i, Version: TagVersion.HighestOf(i.Tags.Select(t => t.Name), fromVersion.Marker)))
                .Where(x => x.Version is { IsPreRelease: false } && x.Version.CompareTo(fromVersion) > 0)
                .OrderByDescending(x => x.Version!.Version, SemVersion.PrecedenceComparer).ThenByDescending(x => x.Image.Age)
                .FirstOrDefault();
            if (byVersion.Image is not null)
            {
                var marker = fromVersion.Marker.Length == 0 ? "" : $" with the same marker ({fromVersion.Marker})";
                return new ReplacementCandidate(byVersion.Image,
                    $"Newest Prod release on track {from.Track}{marker} without blocking findings: {byVersion.Version!.Version} after {fromVersion.Version}.");
            }

        }

        // Otherwise by build time, among images whose tags are not versions (a date, "latest") when the image's are: an
        // older version rebuilt later, or another marker's, is never newer.
        var byAge = eligible
            .Where(i => i.Age > from.Age)
            .Where(i => TagVersion.HighestOf(i.Tags.Select(t => t.Name)) is not { } version || (fromVersion is null && !version.IsPreRelease))
            .OrderByDescending(i => i.Age).ThenByDescending(i => i.Id).FirstOrDefault();
        return byAge is null
            ? null
            : new ReplacementCandidate(byAge, $"Newest Prod image on track {from.Track} without blocking findings, built {DecisionEngine.Day(byAge.Age)} (after {DecisionEngine.Day(from.Age)}).");
    }
}
