using System.Globalization;
using System.Text.RegularExpressions;
using Semver;

namespace Portal.Core.Lifecycle;

/// <summary>
/// An image tag read as a version, the way Renovate reads Docker tags: an optional <c>v</c>, one to three numbers, then
/// hyphen-separated parts. Parts that name a pre-release (<c>rc1</c>, <c>beta.2</c>, <c>dev</c>) make it a pre-release;
/// the other parts (<c>cpu</c>, <c>cuda12</c>, <c>alpine</c>) are a compatibility marker: <c>v2-cpu</c> replaces
/// <c>v1-cpu</c>, never <c>v1-gpu</c>. Tags that do not read so (<c>latest</c>, a date, a commit) have no version.
/// Versions compare by semantic-version precedence (Semver), so <c>2.0.0-rc1</c> (read as <c>2.0.0-rc.1</c>) comes before <c>2.0.0</c>.
/// </summary>
public sealed partial record TagVersion(SemVersion Version, string Marker)
{
    public bool IsPreRelease => Version.IsPrerelease;

    public static TagVersion? Parse(string? tag)
    {
        var match = tag is null ? null : Shape().Match(tag);
        if (match is not { Success: true })
        {
            return null;
        }

        var numbers = match.Groups["numbers"].Value.Split('.');
        var preRelease = new List<string>();
        var marker = new List<string>();
        foreach (var part in match.Groups["rest"].Value.Split('-', StringSplitOptions.RemoveEmptyEntries))
        {
            (PreReleasePart().IsMatch(part) ? preRelease : marker).Add(part.ToLowerInvariant());
        }

        var text = string.Join('.', numbers.Concat(Enumerable.Repeat("0", 3 - numbers.Length)).Select(n => int.Parse(n, CultureInfo.InvariantCulture)))
            + (preRelease.Count > 0 ? "-" + string.Join('.', preRelease.Select(Identifiers)) : "");
        return SemVersion.TryParse(text, SemVersionStyles.Strict, out var version) ? new TagVersion(version, string.Join('-', marker)) : null;
    }

    // "beta10" and "beta_10" become "beta.10", so that they come after "beta2" (semantic versioning compares "beta10" and
    // "beta2" as text).
    private static string Identifiers(string part) => PreReleaseNumber().Replace(part.Replace('_', '.'), ".$1").Replace("..", ".", StringComparison.Ordinal);

    /// <summary>The highest version among an image's tags with <paramref name="marker"/> (any marker when null).</summary>
    public static TagVersion? HighestOf(IEnumerable<string> tags, string? marker = null) =>
        tags.Select(Parse).OfType<TagVersion>().Where(v => marker is null || v.Marker == marker)
            .OrderByDescending(v => v.Version, SemVersion.PrecedenceComparer).FirstOrDefault();

    public int CompareTo(TagVersion other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return SemVersion.ComparePrecedence(Version, other.Version);
    }

    // At most three numbers (each short enough for an int), so that a date (20261122) or a build number is not read as a major version.
    [GeneratedRegex(@"^[vV]?(?<numbers>\d{1,6}(\.\d{1,6}){0,2})(?<rest>(-[A-Za-z0-9_.]+)*)$")]
    private static partial Regex Shape();

    [GeneratedRegex(@"^(alpha|beta|rc|pre|preview|dev|snapshot|nightly)([._]?\d+)*$", RegexOptions.IgnoreCase)]
    private static partial Regex PreReleasePart();

    [GeneratedRegex(@"(?<=[a-z])(\d+)")]
    private static partial Regex PreReleaseNumber();
}
